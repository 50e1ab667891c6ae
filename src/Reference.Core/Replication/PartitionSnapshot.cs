using Reference.Protocol.Primitives;

namespace Reference.Core.Replication;

/// <summary>A partition's state at one moment, for monitors (spec/), tests and tools; a copy, never live.</summary>
public sealed record PartitionSnapshot(
    TopicPartition Partition,
    Uuid TopicId,
    ReplicaRole Role,
    int LeaderId,
    int LeaderEpoch,
    int PartitionEpoch,
    long LogStartOffset,
    long HighWatermark,
    long LogEndOffset,
    long DurableEndOffset,
    IReadOnlyList<int> Isr,
    IReadOnlyList<int> MaximalIsr);
