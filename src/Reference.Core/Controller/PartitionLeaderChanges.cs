using Reference.Core.Metadata;
using Reference.Core.Node;

namespace Reference.Core.Controller;

/// <summary>
/// The ISR, ELR and leader changes that follow a broker's change of state (Kafka's
/// <c>ReplicationControlManager.generateLeaderAndIsrUpdates</c>): a broker that is fenced, unregistered or
/// shutting down leaves every ISR it is in and loses its leaderships; a broker that restarted uncleanly leaves
/// every ISR and ELR it is in (KIP-966's <c>handleBrokerUncleanShutdown</c>); a broker that is unfenced may lead
/// the partitions that had no leader. Each partition's change is <see cref="PartitionChange"/>'s.
/// </summary>
internal static class PartitionLeaderChanges
{
    /// <summary>No broker: nothing to remove, or nothing to add.</summary>
    public const int NoBroker = -1;

    /// <summary>Changes for every partition whose ISR holds <paramref name="brokerId"/>, which may no longer lead.</summary>
    public static List<VersionedRecord> RemoveBroker(MetadataImage image, NodeConfig config, int brokerId) =>
        Changes(image, config, brokerToRemove: brokerId, brokerToAdd: NoBroker, uncleanShutdown: NoBroker, p => p.Isr.Contains(brokerId));

    /// <summary>
    /// Changes for every partition whose ISR or ELR holds <paramref name="brokerId"/>, which registered again
    /// without naming a clean shutdown: its log may have lost its unflushed tail, so it is no longer eligible.
    /// </summary>
    public static List<VersionedRecord> RemoveUncleanlyShutDownBroker(MetadataImage image, NodeConfig config, int brokerId) =>
        Changes(image, config, brokerToRemove: NoBroker, brokerToAdd: NoBroker, uncleanShutdown: brokerId,
            p => p.Isr.Contains(brokerId) || p.EligibleLeaderReplicas.Contains(brokerId));

    /// <summary>Elections for leaderless partitions, counting <paramref name="brokerId"/> as usable although the image still shows it fenced.</summary>
    public static List<VersionedRecord> ElectWithUnfencedBroker(MetadataImage image, NodeConfig config, int brokerId) =>
        Changes(image, config, brokerToRemove: NoBroker, brokerToAdd: brokerId, uncleanShutdown: NoBroker, p => !p.HasLeader);

    /// <summary>Whether a broker still leads any partition (a controlled shutdown waits until it leads none).</summary>
    public static bool HasLeaderships(MetadataImage image, int brokerId) =>
        image.Topics.Values.Any(topic => topic.Partitions.Values.Any(p => p.Leader == brokerId));

    private static List<VersionedRecord> Changes(MetadataImage image, NodeConfig config, int brokerToRemove, int brokerToAdd, int uncleanShutdown,
        Func<PartitionRegistration, bool> affected)
    {
        var records = new List<VersionedRecord>();
        bool Acceptable(int replica) => replica != brokerToRemove && (replica == brokerToAdd || image.IsActiveBroker(replica));
        foreach (TopicImage topic in image.Topics.Values)
        {
            foreach (var (index, partition) in topic.Partitions)
            {
                if (!affected(partition)) continue;
                var request = new PartitionChangeRequest(topic, index, partition,
                    [.. partition.Isr.Where(r => r != brokerToRemove && r != uncleanShutdown)], Acceptable,
                    PartitionChange.EffectiveMinIsr(image, config, topic, partition), config.ReintroducedBugs)
                {
                    UncleanShutdownReplica = uncleanShutdown,
                };
                if (PartitionChange.Build(request) is VersionedRecord record) records.Add(record);
            }
        }
        return records;
    }

    /// <summary>
    /// Kafka 3.9's election, without eligible leader replicas: keep a leader that is still valid; else the first
    /// replica, in preference order, that is in the ISR and usable. With <see cref="ReintroducedBugs.UncleanLeaderElection"/>
    /// (Kafka's unclean.leader.election.enable, behind the 2013 Jepsen loss of acknowledged writes) a usable replica
    /// outside the ISR is taken when no ISR member is usable, and whatever its log lacks of the committed data is gone.
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
