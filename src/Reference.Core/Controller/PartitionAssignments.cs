using Reference.Core.Metadata;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Controller;

/// <summary>
/// What CreateTopics and CreatePartitions share about new partitions: checking a manual assignment
/// (Kafka's <c>validateManualPartitionAssignment</c>, with its messages), the initial ISR, and the
/// PartitionRecord itself: leader = first ISR member, leader epoch 0, partition epoch 0.
/// </summary>
internal static class PartitionAssignments
{
    /// <summary>Kafka's <c>DirectoryId.UNASSIGNED</c>: the replica's log directory is the broker's to choose.</summary>
    public static readonly Uuid UnassignedDirectory = Uuid.Zero;

    /// <summary>Null when <paramref name="brokerIds"/> is a usable manual assignment; else the INVALID_REPLICA_ASSIGNMENT message.</summary>
    public static string? ValidateManual(IReadOnlyList<int> brokerIds, int? replicationFactor, MetadataImage image)
    {
        if (brokerIds.Count == 0) return "The manual partition assignment includes an empty replica list.";
        int? previous = null;
        foreach (int brokerId in brokerIds.Order())
        {
            if (image.Broker(brokerId) is null)
                return $"The manual partition assignment includes broker {brokerId}, but no such broker is registered.";
            if (brokerId == previous) return $"The manual partition assignment includes the broker {brokerId} more than once.";
            previous = brokerId;
        }
        if (replicationFactor is int expected && brokerIds.Count != expected)
            return $"The manual partition assignment includes a partition with {brokerIds.Count} replica(s), but this is not consistent with previous partitions, which have {expected} replica(s).";
        return null;
    }

    /// <summary>The replicas that may be in the ISR of a new partition: the active ones, in replica order.</summary>
    public static int[] ActiveReplicas(IReadOnlyList<int> replicas, MetadataImage image) => replicas.Where(image.IsActiveBroker).ToArray();

    /// <summary>The usable brokers for automatic placement, in id order.</summary>
    public static IReadOnlyList<int> ActiveBrokers(MetadataImage image) =>
        image.Brokers.Values.Where(b => b.IsActive).Select(b => b.BrokerId).ToArray();

    public static VersionedRecord Record(Uuid topicId, int partition, IReadOnlyList<int> replicas, IReadOnlyList<int> isr, MetadataImage image)
    {
        if (isr.Count == 0) throw new ArgumentException("a new partition needs an in-sync replica to lead it", nameof(isr));
        var record = new PartitionRecord
        {
            TopicId = topicId,
            PartitionId = partition,
            Replicas = [.. replicas],
            Isr = [.. isr],
            Leader = isr[0],
            LeaderEpoch = 0,
            PartitionEpoch = 0,
            LeaderRecoveryState = (sbyte)LeaderRecoveryState.Recovered,
            Directories = [.. replicas.Select(r => DirectoryOf(r, image))],
        };
        return new VersionedRecord(record, MetadataVersion.PartitionRecordVersion);
    }

    /// <summary>A broker with exactly one log directory gets its replicas there; otherwise the broker decides (JBOD, KIP-858).</summary>
    internal static Uuid DirectoryOf(int brokerId, MetadataImage image) =>
        image.Broker(brokerId) is { LogDirs.Length: 1 } broker ? broker.LogDirs[0] : UnassignedDirectory;
}
