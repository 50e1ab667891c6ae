namespace Reference.Core;

/// <summary>
/// One partition of one topic; also the name of every log the core keeps, the metadata log included
/// (<see cref="ClusterMetadata"/>). Ordered by topic then partition, so iterating a sorted set of them
/// is deterministic.
/// </summary>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    /// <summary>The KRaft metadata log: topic <c>__cluster_metadata</c>, partition 0.</summary>
    public static readonly TopicPartition ClusterMetadata = new("__cluster_metadata", 0);

    public int CompareTo(TopicPartition other)
    {
        int byTopic = string.CompareOrdinal(Topic, other.Topic);
        return byTopic != 0 ? byTopic : Partition.CompareTo(other.Partition);
    }

    /// <summary>Kafka's directory and display name: <c>topic-partition</c>.</summary>
    public override string ToString() => $"{Topic}-{Partition}";
}
