using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;

namespace Reference.Core.Groups;

/// <summary>A record of <c>__consumer_offsets</c> as the coordinator reads it back.</summary>
internal abstract record GroupRecord
{
    /// <summary>A committed offset, or its deletion (<paramref name="Offset"/> null: a tombstone).</summary>
    public sealed record OffsetCommit(string GroupId, TopicPartition Partition, CommittedOffset? Offset) : GroupRecord;

    /// <summary>A group's metadata, or its deletion (<paramref name="Value"/> null: a tombstone).</summary>
    public sealed record GroupMetadata(string GroupId, GroupMetadataValue? Value) : GroupRecord;

    /// <summary>A key version this coordinator does not know; skipped, as Kafka skips leftovers of an aborted upgrade.</summary>
    public sealed record Unknown(short KeyVersion) : GroupRecord;
}

/// <summary>
/// Encodes and decodes the records of <c>__consumer_offsets</c> (Messages/Definitions/GroupCoordinatorRecords.kmsg):
/// each key and value is an int16 version and then the message; the key version says which record it is, as
/// in Kafka's <c>GroupMetadataManager.readMessageKey</c>.
/// </summary>
internal static class GroupRecords
{
    private const short OffsetCommitKeyVersion = 1;
    private const short GroupMetadataKeyVersion = 2;

    /// <summary>The version with the leader epoch, written unless the commit asked for an explicit expiry.</summary>
    private const short OffsetCommitValueVersion = 3;

    /// <summary>The only version with an expiry field, kept for OffsetCommit v1-v4 that ask for one (as Kafka does).</summary>
    private const short OffsetCommitValueWithExpiryVersion = 1;

    private const short GroupMetadataValueVersion = 3;

    public static void AppendOffsetCommit(RecordBatchBuilder batch, string groupId, TopicPartition partition, CommittedOffset offset, long nowMs)
    {
        var value = new OffsetCommitValue
        {
            Offset = offset.Offset,
            LeaderEpoch = offset.LeaderEpoch,
            Metadata = offset.Metadata,
            CommitTimestamp = offset.CommitTimestampMs,
            ExpireTimestamp = offset.ExpireTimestampMs ?? -1,
        };
        short valueVersion = offset.ExpireTimestampMs is null ? OffsetCommitValueVersion : OffsetCommitValueWithExpiryVersion;
        batch.Append(nowMs, OffsetCommitKeyOf(groupId, partition), Versioned(value, valueVersion));
    }

    public static void AppendOffsetTombstone(RecordBatchBuilder batch, string groupId, TopicPartition partition, long nowMs) =>
        batch.Append(nowMs, OffsetCommitKeyOf(groupId, partition), null);

    public static void AppendGroupMetadata(RecordBatchBuilder batch, string groupId, GroupMetadataValue value, long nowMs) =>
        batch.Append(nowMs, GroupMetadataKeyOf(groupId), Versioned(value, GroupMetadataValueVersion));

    public static void AppendGroupTombstone(RecordBatchBuilder batch, string groupId, long nowMs) =>
        batch.Append(nowMs, GroupMetadataKeyOf(groupId), null);

    /// <summary>Kafka's <c>groupMetadataValue</c>: the group's generation and members with the given assignments.</summary>
    public static GroupMetadataValue ValueOf(ClassicGroup group, Func<GroupMember, ReadOnlyMemory<byte>> assignmentOf) => new()
    {
        ProtocolType = group.ProtocolType ?? "",
        Generation = group.GenerationId,
        Protocol = group.ProtocolName,
        Leader = group.LeaderId,
        CurrentStateTimestamp = group.StateTimestampMs ?? -1,
        Members = group.Members.Select(member => new GroupMetadataValue.MemberMetadata
        {
            MemberId = member.MemberId,
            GroupInstanceId = member.GroupInstanceId,
            ClientId = member.ClientId,
            ClientHost = member.ClientHost,
            RebalanceTimeout = member.RebalanceTimeoutMs,
            SessionTimeout = member.SessionTimeoutMs,
            Subscription = group.ProtocolName is string protocol ? member.MetadataFor(protocol) : ReadOnlyMemory<byte>.Empty,
            Assignment = assignmentOf(member),
        }).ToList(),
    };

    /// <summary>Reads a record back; throws <see cref="MalformedFrameException"/> when a known record does not parse.</summary>
    public static GroupRecord Decode(Record record)
    {
        if (record.Key is not ReadOnlyMemory<byte> key) throw new MalformedFrameException("a __consumer_offsets record without a key");
        var reader = new ProtocolReader(key);
        short keyVersion = reader.ReadInt16();
        switch (keyVersion)
        {
            case 0 or 1:
                OffsetCommitKey offsetKey = ReadWhole<OffsetCommitKey>(ref reader, keyVersion);
                var partition = new TopicPartition(offsetKey.Topic, offsetKey.Partition);
                return new GroupRecord.OffsetCommit(offsetKey.Group, partition, record.Value is ReadOnlyMemory<byte> value ? OffsetOf(value, record.Offset) : null);
            case 2:
                GroupMetadataKey groupKey = ReadWhole<GroupMetadataKey>(ref reader, keyVersion);
                return new GroupRecord.GroupMetadata(groupKey.Group, record.Value is ReadOnlyMemory<byte> metadata ? ReadVersioned<GroupMetadataValue>(metadata) : null);
            default:
                return new GroupRecord.Unknown(keyVersion);
        }
    }

    private static CommittedOffset OffsetOf(ReadOnlyMemory<byte> bytes, long recordOffset)
    {
        OffsetCommitValue value = ReadVersioned<OffsetCommitValue>(bytes);
        long? expireTimestampMs = value.ExpireTimestamp >= 0 ? value.ExpireTimestamp : null;
        return new CommittedOffset(value.Offset, value.LeaderEpoch, value.Metadata, value.CommitTimestamp, expireTimestampMs, recordOffset);
    }

    private static byte[] OffsetCommitKeyOf(string groupId, TopicPartition partition) =>
        Versioned(new OffsetCommitKey { Group = groupId, Topic = partition.Topic, Partition = partition.Partition }, OffsetCommitKeyVersion);

    private static byte[] GroupMetadataKeyOf(string groupId) => Versioned(new GroupMetadataKey { Group = groupId }, GroupMetadataKeyVersion);

    /// <summary>
    /// An int16 version and the message in it: the framing of these records, and of the consumer protocol's
    /// payloads inside JoinGroup and SyncGroup.
    /// </summary>
    internal static byte[] Versioned(IMessage message, short version)
    {
        using var writer = new ProtocolWriter();
        writer.WriteInt16(version);
        message.Write(writer, version);
        return writer.ToArray();
    }

    private static T ReadVersioned<T>(ReadOnlyMemory<byte> bytes) where T : IMessage<T>
    {
        var reader = new ProtocolReader(bytes);
        short version = reader.ReadInt16();
        return ReadWhole<T>(ref reader, version);
    }

    private static T ReadWhole<T>(ref ProtocolReader reader, short version) where T : IMessage<T>
    {
        if (!T.Versions.Contains(version)) throw new MalformedFrameException($"{typeof(T).Name} v{version} is outside {T.Versions}");
        T message = T.Read(ref reader, version);
        reader.ExpectEnd(typeof(T).Name);
        return message;
    }
}
