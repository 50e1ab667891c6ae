using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// The ISR and leader changes that follow a broker's change of state (Kafka's
/// <c>ReplicationControlManager.generateLeaderAndIsrUpdates</c> with <c>PartitionChangeBuilder</c>'s ONLINE
/// election): a broker that is fenced, unregistered or shutting down leaves every ISR it is in and loses its
/// leaderships; a broker that is unfenced may lead the partitions that had no leader. Without KIP-966's
/// eligible leader replicas (off at 3.9-IV0) an ISR never becomes empty: the last member stays, and the
/// partition goes leaderless until it returns. That is Kafka's rule, and what keeps a clean election clean.
/// </summary>
internal static class PartitionLeaderChanges
{
    /// <summary>No broker: nothing to remove, or nothing to add.</summary>
    public const int NoBroker = -1;

    /// <summary>Changes for every partition whose ISR holds <paramref name="brokerId"/>, which may no longer lead.</summary>
    public static List<VersionedRecord> RemoveBroker(MetadataImage image, int brokerId, ReintroducedBugs bugs) =>
        Changes(image, brokerToRemove: brokerId, brokerToAdd: NoBroker, p => p.Isr.Contains(brokerId), bugs);

    /// <summary>Elections for leaderless partitions, counting <paramref name="brokerId"/> as usable although the image still shows it fenced.</summary>
    public static List<VersionedRecord> ElectWithUnfencedBroker(MetadataImage image, int brokerId, ReintroducedBugs bugs) =>
        Changes(image, brokerToRemove: NoBroker, brokerToAdd: brokerId, p => !p.HasLeader, bugs);

    /// <summary>Whether a broker still leads any partition (a controlled shutdown waits until it leads none).</summary>
    public static bool HasLeaderships(MetadataImage image, int brokerId) =>
        image.Topics.Values.Any(topic => topic.Partitions.Values.Any(p => p.Leader == brokerId));

    private static List<VersionedRecord> Changes(MetadataImage image, int brokerToRemove, int brokerToAdd, Func<PartitionRegistration, bool> affected,
        ReintroducedBugs bugs)
    {
        var records = new List<VersionedRecord>();
        bool Acceptable(int replica) => replica != brokerToRemove && (replica == brokerToAdd || image.IsActiveBroker(replica));
        foreach (TopicImage topic in image.Topics.Values)
        {
            foreach (var (index, partition) in topic.Partitions)
            {
                if (!affected(partition)) continue;
                PartitionChangeRecord? change = Change(topic, index, partition, brokerToRemove, Acceptable, bugs);
                if (change is not null) records.Add(new VersionedRecord(change, MetadataVersion.PartitionChangeRecordVersion));
            }
        }
        return records;
    }

    private static PartitionChangeRecord? Change(TopicImage topic, int index, PartitionRegistration partition, int brokerToRemove, Func<int, bool> acceptable,
        ReintroducedBugs bugs)
    {
        int[] targetIsr = partition.Isr.Where(r => r != brokerToRemove).ToArray();
        if (targetIsr.Length == 0) targetIsr = [.. partition.Isr];
        int leader = ElectLeader(partition, targetIsr, acceptable, bugs);
        // An unclean leader starts a new ISR of itself (Kafka's PartitionChangeBuilder with unclean election).
        if (leader != PartitionRegistration.NoLeader && !targetIsr.Contains(leader)) targetIsr = [leader];
        bool isrChanges = !targetIsr.SequenceEqual(partition.Isr);
        bool leaderChanges = leader != partition.Leader;
        if (!isrChanges && !leaderChanges) return null;
        return new PartitionChangeRecord
        {
            TopicId = topic.TopicId,
            PartitionId = index,
            Isr = isrChanges ? [.. targetIsr] : null,
            Leader = leaderChanges ? leader : PartitionRegistration.NoLeaderChange,
        };
    }

    /// <summary>
    /// Keep a leader that is still valid; else the first replica, in preference order, that is in the ISR and
    /// usable. With <see cref="ReintroducedBugs.UncleanLeaderElection"/> (Kafka's unclean.leader.election.enable,
    /// behind the 2013 Jepsen loss of acknowledged writes) a usable replica outside the ISR is taken when no ISR
    /// member is usable, and whatever its log lacks of the committed data is gone.
    /// </summary>
    internal static int ElectLeader(PartitionRegistration partition, IReadOnlyCollection<int> targetIsr, Func<int, bool> acceptable,
        ReintroducedBugs bugs = ReintroducedBugs.None)
    {
        bool Valid(int replica) => targetIsr.Contains(replica) && acceptable(replica);
        if (partition.HasLeader && Valid(partition.Leader)) return partition.Leader;
        foreach (int replica in partition.Replicas)
        {
            if (Valid(replica)) return replica;
        }
        if (bugs.HasFlag(ReintroducedBugs.UncleanLeaderElection))
            foreach (int replica in partition.Replicas)
                if (acceptable(replica)) return replica;
        return PartitionRegistration.NoLeader;
    }
}
