using Reference.Core.Log;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;

namespace Reference.Core.Groups;

/// <summary>What loading one partition found (for diagnostics and tests).</summary>
/// <param name="UnknownRecords">Records with a key version this coordinator does not know, skipped as Kafka skips them.</param>
/// <param name="MisplacedGroups">Groups whose id hashes to another partition: the partition count changed, which Kafka forbids; skipped.</param>
public readonly record struct GroupPartitionLoad(int Partition, long StartOffset, long EndOffset, int Batches, int Records, int Groups, int UnknownRecords, int MisplacedGroups);

/// <summary>
/// Rebuilds a partition's groups and committed offsets by replaying its log from start to end (Kafka's
/// <c>GroupMetadataManager.loadGroupsAndOffsets</c>): the last record for a key wins and a tombstone deletes.
/// Reads are synchronous, so a partition is loaded within the step that makes this node its leader.
/// A batch that does not decode throws: serving from a partial replay would silently roll back commits.
/// </summary>
internal sealed class GroupPartitionLoader(GroupCoordinatorConfig config, ILogStorage storage)
{
    /// <summary>A group's latest records while replaying: its metadata (null once deleted) and its offsets.</summary>
    private sealed class Replayed(string groupId)
    {
        public string GroupId { get; } = groupId;

        public GroupMetadataValue? Metadata { get; set; }

        public SortedDictionary<TopicPartition, CommittedOffset> Offsets { get; } = new();
    }

    public (IReadOnlyList<ClassicGroup> Groups, GroupPartitionLoad Load) Load(int partition, long nowMs)
    {
        var log = new TopicPartition(OffsetsTopic.Name, partition);
        LogExtent extent = storage.Extent(log);
        var replayed = new SortedDictionary<string, Replayed>(StringComparer.Ordinal);
        (int batches, int records, int unknown) = Replay(log, extent, replayed);
        var groups = new List<ClassicGroup>();
        int misplaced = 0;
        foreach (Replayed state in replayed.Values)
        {
            if (state.Metadata is null && state.Offsets.Count == 0) continue;
            if (OffsetsTopic.PartitionFor(state.GroupId, config.OffsetsTopicNumPartitions) != partition)
            {
                misplaced++;
                continue;
            }
            groups.Add(Build(state, partition, nowMs));
        }
        return (groups, new GroupPartitionLoad(partition, extent.StartOffset, extent.EndOffset, batches, records, groups.Count, unknown, misplaced));
    }

    /// <summary>Reads batch after batch up to the log end; each read advances past at least one batch, so the loop ends.</summary>
    private (int Batches, int Records, int Unknown) Replay(TopicPartition log, LogExtent extent, SortedDictionary<string, Replayed> replayed)
    {
        int batches = 0, records = 0, unknown = 0;
        long nextOffset = extent.StartOffset;
        while (nextOffset < extent.EndOffset)
        {
            ReadOnlyMemory<byte> read = storage.Read(log, nextOffset, extent.EndOffset, config.LoadReadBytesMax);
            GroupInvariant.Check(!read.IsEmpty, $"{log} holds batches from {nextOffset} to its end {extent.EndOffset}");
            var walker = new RecordBatchWalker(read);
            long readFromOffset = nextOffset;
            while (walker.TryNext(out RecordBatchView batch))
            {
                batches++;
                nextOffset = batch.Header.NextOffset;
                // Transaction markers and transactional commits (TxnOffsetCommit) are not this coordinator's.
                if (batch.Header.IsControl || batch.Header.IsTransactional) continue;
                RecordBatchDecodeResult decoded = RecordBatchDecoder.Decode(batch);
                if (!decoded.IsOk) throw new InvalidOperationException($"{log}: the batch at {batch.Header.BaseOffset} does not decode ({decoded.Error} {decoded.Detail})");
                foreach (Record record in decoded.Records)
                {
                    records++;
                    if (!Apply(log, record, replayed)) unknown++;
                }
            }
            GroupInvariant.Check(walker.IsComplete && nextOffset > readFromOffset, $"{log}: storage returned whole batches past {readFromOffset}");
        }
        return (batches, records, unknown);
    }

    private static bool Apply(TopicPartition log, Record record, SortedDictionary<string, Replayed> replayed)
    {
        GroupRecord decoded;
        try
        {
            decoded = GroupRecords.Decode(record);
        }
        catch (MalformedFrameException malformed)
        {
            throw new InvalidOperationException($"{log}: the record at {record.Offset} does not parse: {malformed.Message}", malformed);
        }
        switch (decoded)
        {
            case GroupRecord.OffsetCommit commit:
                Replayed offsetsOf = StateOf(replayed, commit.GroupId);
                if (commit.Offset is CommittedOffset offset) offsetsOf.Offsets[commit.Partition] = offset;
                else offsetsOf.Offsets.Remove(commit.Partition);
                return true;
            case GroupRecord.GroupMetadata metadata:
                StateOf(replayed, metadata.GroupId).Metadata = metadata.Value;
                return true;
            default:
                return false;
        }
    }

    private static Replayed StateOf(SortedDictionary<string, Replayed> replayed, string groupId)
    {
        if (!replayed.TryGetValue(groupId, out Replayed? state)) replayed[groupId] = state = new Replayed(groupId);
        return state;
    }

    /// <summary>
    /// Kafka's <c>GroupMetadata.loadGroup</c>: a group with members comes back Stable in its stored generation,
    /// each member knowing only the chosen protocol; without members it is Empty. Bytes are copied out of the read.
    /// </summary>
    private static ClassicGroup Build(Replayed state, int partition, long nowMs)
    {
        GroupMetadataValue? value = state.Metadata;
        bool hasMembers = value is not null && value.Members.Count > 0;
        var group = new ClassicGroup(state.GroupId, partition, hasMembers ? GroupState.Stable : GroupState.Empty, nowMs);
        if (value is not null)
        {
            string? protocolType = value.ProtocolType.Length == 0 ? null : value.ProtocolType;
            foreach (GroupMetadataValue.MemberMetadata stored in value.Members)
            {
                IReadOnlyList<MemberProtocol> protocols = value.Protocol is string protocol ? [new MemberProtocol(protocol, stored.Subscription.ToArray())] : [];
                // Version 0 records have no rebalance timeout; Kafka reads the session timeout in its place.
                int rebalanceTimeoutMs = stored.RebalanceTimeout < 0 ? stored.SessionTimeout : stored.RebalanceTimeout;
                group.Add(new GroupMember(stored.MemberId, stored.GroupInstanceId, stored.ClientId, stored.ClientHost, value.ProtocolType, rebalanceTimeoutMs, stored.SessionTimeout, protocols)
                {
                    Assignment = stored.Assignment.ToArray(),
                    AssignedGeneration = value.Generation,
                });
            }
            group.RestorePersisted(value.Generation, protocolType, value.Protocol, value.Leader, value.CurrentStateTimestamp < 0 ? null : value.CurrentStateTimestamp);
        }
        foreach ((TopicPartition topicPartition, CommittedOffset offset) in state.Offsets) group.Offsets.Replay(topicPartition, offset);
        group.CheckInvariants();
        return group;
    }
}
