using System.Collections.Immutable;
using Reference.Core.Controller;
using Reference.Core.Raft;
using Reference.Protocol.Messages;

namespace Reference.Core.Metadata;

/// <summary>
/// A metadata image as a KRaft snapshot and back (KIP-630; Kafka's <c>SnapshotGenerator</c> writing
/// <c>MetadataImage.write</c>, and <c>MetadataLoader</c> loading a snapshot). The snapshot holds the records
/// that rebuild the image from nothing, in the order the image's rooms depend on: features first (so
/// <c>metadata.version</c> is known before anything else), then brokers, topics with their partitions,
/// configurations and the producer id block. Each map is written in its key order, so equal images make
/// byte-equal snapshots on every node.
/// </summary>
public static class MetadataSnapshot
{
    /// <summary>The records that rebuild <paramref name="image"/> when replayed in order onto an empty image.</summary>
    public static IReadOnlyList<VersionedRecord> RecordsOf(MetadataImage image)
    {
        var records = new List<VersionedRecord>();
        // metadata.version first, as Kafka's FeaturesImage.write does: every later record is read at its level.
        foreach (var (name, level) in image.Features.OrderBy(f => f.Key == MetadataVersion.FeatureName ? 0 : 1).ThenBy(f => f.Key, StringComparer.Ordinal))
            records.Add(new VersionedRecord(new FeatureLevelRecord { Name = name, FeatureLevel = level }, MetadataVersion.BaseRecordVersion));
        foreach (BrokerRegistration broker in image.Brokers.Values) records.Add(RegisterRecordOf(broker));
        foreach (TopicImage topic in image.Topics.Values)
        {
            records.Add(new VersionedRecord(new TopicRecord { Name = topic.Name, TopicId = topic.TopicId }, MetadataVersion.BaseRecordVersion));
            foreach (var (index, partition) in topic.Partitions) records.Add(PartitionRecordOf(topic, index, partition, image));
        }
        foreach (var (resource, entries) in image.Configs)
        {
            foreach (var (name, value) in entries)
            {
                var config = new ConfigRecord { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, Name = name, Value = value };
                records.Add(new VersionedRecord(config, MetadataVersion.BaseRecordVersion));
            }
        }
        if (image.NextProducerId > 0)
            records.Add(new VersionedRecord(new ProducerIdsRecord { BrokerId = -1, BrokerEpoch = -1, NextProducerId = image.NextProducerId }, MetadataVersion.BaseRecordVersion));
        return records;
    }

    /// <summary>
    /// The snapshot of <paramref name="image"/> as of <paramref name="snapshotId"/>, whose end offset must be one
    /// past the image's offset (the snapshot covers exactly what the image applied).
    /// </summary>
    public static byte[] Write(MetadataImage image, OffsetAndEpoch snapshotId, long lastContainedTimestampMs)
    {
        if (snapshotId.Offset != image.Offset + 1)
            throw new ArgumentException($"a snapshot {snapshotId} of an image as of offset {image.Offset} would not end where the image does", nameof(snapshotId));
        var values = RecordsOf(image).Select(record => (ReadOnlyMemory<byte>)MetadataRecordFrame.Encode(record)).ToList();
        return SnapshotFormat.Build(snapshotId, lastContainedTimestampMs, values);
    }

    /// <summary>
    /// Rebuilds the image a snapshot holds, as of its last contained offset. A snapshot that is not intact, or
    /// whose records do not replay onto an empty image, is refused with the reason: it is never half loaded.
    /// </summary>
    public static MetadataSnapshotLoad Read(ReadOnlyMemory<byte> snapshot, OffsetAndEpoch snapshotId)
    {
        SnapshotReadResult read = SnapshotFormat.Read(snapshot);
        if (!read.IsValid) return MetadataSnapshotLoad.Invalid(read.Error!);
        var delta = new MetadataDelta(MetadataImage.Empty);
        for (int i = 0; i < read.RecordValues.Count; i++)
        {
            MetadataFrameDecodeResult frame = MetadataRecordFrame.Decode(read.RecordValues[i]);
            if (!frame.IsOk) return MetadataSnapshotLoad.Invalid($"record {i} does not decode: {frame.Error} {frame.Detail}");
            // Records replay at their position in the snapshot; the image is then moved to the snapshot's offset.
            if (delta.Replay(frame.Record!, i) is string fault) return MetadataSnapshotLoad.Invalid($"record {i} does not replay: {fault}");
        }
        MetadataImage built = delta.Build();
        long lastContained = snapshotId.Offset - 1;
        // Kafka's controller replays a snapshot's RegisterBrokerRecords at the snapshot's last contained offset:
        // a broker is caught up once it has applied at least that much.
        var brokers = built.Brokers.ToImmutableSortedDictionary(b => b.Key, b => b.Value with { RegistrationOffset = lastContained });
        return new MetadataSnapshotLoad(null, new MetadataImage(lastContained, built.Features, brokers, built.Topics, built.TopicNamesById, built.Configs, built.NextProducerId));
    }

    private static VersionedRecord RegisterRecordOf(BrokerRegistration broker) => new(new RegisterBrokerRecord
    {
        BrokerId = broker.BrokerId,
        IncarnationId = broker.IncarnationId,
        BrokerEpoch = broker.Epoch,
        EndPoints = [.. broker.Endpoints.Select(e => new RegisterBrokerRecord.BrokerEndpoint { Name = e.ListenerName, Host = e.Host, Port = (ushort)e.Port, SecurityProtocol = e.SecurityProtocol })],
        Features = [.. broker.Features.Select(f => new RegisterBrokerRecord.BrokerFeature { Name = f.Name, MinSupportedVersion = f.MinVersion, MaxSupportedVersion = f.MaxVersion })],
        Rack = broker.Rack,
        Fenced = broker.Fenced,
        InControlledShutdown = broker.InControlledShutdown,
        LogDirs = [.. broker.LogDirs],
    }, MetadataVersion.RegisterBrokerRecordVersion);

    /// <summary>
    /// One PartitionRecord with the partition's whole state. Written in the version the controller writes
    /// (<see cref="MetadataVersion.PartitionRecordVersion"/>) unless it holds ELR fields, which only version 2 carries.
    /// </summary>
    private static VersionedRecord PartitionRecordOf(TopicImage topic, int index, PartitionRegistration partition, MetadataImage image)
    {
        bool hasElr = partition.EligibleLeaderReplicas.Length > 0 || partition.LastKnownElr.Length > 0;
        var record = new PartitionRecord
        {
            TopicId = topic.TopicId,
            PartitionId = index,
            Replicas = [.. partition.Replicas],
            Isr = [.. partition.Isr],
            RemovingReplicas = [.. partition.RemovingReplicas],
            AddingReplicas = [.. partition.AddingReplicas],
            Leader = partition.Leader,
            LeaderRecoveryState = (sbyte)partition.LeaderRecoveryState,
            LeaderEpoch = partition.LeaderEpoch,
            PartitionEpoch = partition.PartitionEpoch,
            Directories = [.. partition.Replicas.Select(r => PartitionAssignments.DirectoryOf(r, image))],
            EligibleLeaderReplicas = hasElr ? [.. partition.EligibleLeaderReplicas] : null,
            LastKnownElr = hasElr ? [.. partition.LastKnownElr] : null,
        };
        return new VersionedRecord(record, hasElr ? MetadataVersion.ElrRecordVersion : MetadataVersion.PartitionRecordVersion);
    }
}

/// <summary>A snapshot loaded into an image, or why it could not be.</summary>
public sealed record MetadataSnapshotLoad(string? Error, MetadataImage? Image)
{
    public bool IsValid => Error is null;

    public static MetadataSnapshotLoad Invalid(string error) => new(error, null);
}
