using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// What a caller asks of one partition: the ISR it should have (before any election), which replicas may
/// lead, the topic's effective min.insync.replicas, and a broker that just restarted uncleanly.
/// </summary>
internal sealed record PartitionChangeRequest(
    TopicImage Topic,
    int Index,
    PartitionRegistration Partition,
    IReadOnlyList<int> TargetIsr,
    Func<int, bool> Acceptable,
    int MinIsr,
    ReintroducedBugs Bugs)
{
    /// <summary>A broker that re-registered without a clean shutdown: it leaves the ELR too and may not lead (KIP-966).</summary>
    public int UncleanShutdownReplica { get; init; } = PartitionLeaderChanges.NoBroker;

    /// <summary>The leader recovery state AlterPartition asks for; null leaves it.</summary>
    public LeaderRecoveryState? TargetLeaderRecoveryState { get; init; }
}

/// <summary>
/// One partition's next registration (Kafka's <c>PartitionChangeBuilder</c> with KIP-966's eligible leader
/// replicas, the ONLINE election). The rules, from KIP-966 and the builder:
/// <list type="bullet">
/// <item>While the ISR holds at least the topic's effective min.insync.replicas (capped by the replica count,
/// Kafka's <c>getTopicEffectiveMinIsr</c>) the ELR is empty. Below it, the members that leave the ISR join the
/// ELR: since a leader advances the high watermark only while its ISR is at least min ISR (Kafka's
/// <c>Partition.maybeIncrementLeaderHW</c>, see <see cref="Replication.Partition"/>), each of them holds
/// everything below the high watermark, forever after.</item>
/// <item>The ISR may become empty.</item>
/// <item>The leader stays if it may still lead; else the first replica, in preference order, that is in the
/// ISR, or, with the ISR empty, in the ELR, and is usable. A leader taken from the ELR becomes the ISR alone.</item>
/// <item>A broker restarted uncleanly leaves the ISR and the ELR (its unflushed tail may be gone) and is never
/// elected by that change.</item>
/// <item>With the ISR and the ELR both empty, the last known leader (kept in LastKnownElr since the ISR emptied)
/// is elected once it is usable: KIP-966's "balanced" recovery, an unclean election, since all it knows of
/// the others is that they shut down uncleanly. The ISR becomes that leader alone and the ELR is cleared.</item>
/// </list>
/// Kafka marks an unclean election's leader RECOVERING; this core's leaders do not take part in that state
/// (its brokers always report RECOVERED), so, like the museum's unclean election, ours leaves it alone.
/// </summary>
internal static class PartitionChange
{
    /// <summary>The record, or null when nothing changes.</summary>
    public static VersionedRecord? Build(PartitionChangeRequest request)
    {
        // The museum's LastReplicaStanding: Kafka 3.9, before KIP-966. The ISR never empties, so its last member
        // leads again when it returns, whatever its disk lost; followers that held more truncate to it. This is
        // the one place the switch is read.
        PartitionChangeRecord? change = request.Bugs.HasFlag(ReintroducedBugs.LastReplicaStanding)
            ? WithoutEligibleLeaders(request)
            : WithEligibleLeaders(request);
        if (change is null) return null;
        bool carriesElr = change.EligibleLeaderReplicas is not null || change.LastKnownElr is not null;
        return new VersionedRecord(change, carriesElr ? MetadataVersion.ElrRecordVersion : MetadataVersion.PartitionChangeRecordVersion);
    }

    /// <summary>Kafka's effective min ISR for a partition: the topic's min.insync.replicas, capped by its replica count.</summary>
    public static int EffectiveMinIsr(MetadataImage image, NodeConfig config, TopicImage topic, PartitionRegistration partition) =>
        Math.Min(TopicConfigView.Effective(image, config, topic.Name).MinInsyncReplicas, Math.Max(1, partition.Replicas.Length));

    private static PartitionChangeRecord? WithEligibleLeaders(PartitionChangeRequest request)
    {
        PartitionRegistration partition = request.Partition;
        List<int> isr = [.. request.TargetIsr];
        List<int> elr = isr.Count >= request.MinIsr
            ? []
            : [.. partition.EligibleLeaderReplicas.Concat(partition.Isr).Distinct()
                .Where(r => !isr.Contains(r) && r != request.UncleanShutdownReplica).Order()];
        bool Valid(int replica) => (isr.Contains(replica) || (isr.Count == 0 && elr.Contains(replica)))
            && replica != request.UncleanShutdownReplica && request.Acceptable(replica);

        var (leader, unclean) = Elect(partition, Valid, request, isr.Count == 0 && elr.Count == 0);
        if (leader != partition.Leader && elr.Contains(leader))
        {
            isr = [leader];
            elr.Remove(leader);
        }
        if (unclean)
        {
            isr = [leader];
            elr = []; // Kafka clears the ELR after an unclean election: nothing is known of what the others hold
        }
        var change = Record(request, leader, isr);
        if (!elr.SequenceEqual(partition.EligibleLeaderReplicas)) change.EligibleLeaderReplicas = elr;
        change.LastKnownElr = LastKnownLeader(partition, change, leader);
        return IsNoOp(change) ? null : change;
    }

    /// <summary>
    /// Kafka's <c>maybeUpdateLastKnownLeader</c>: when the ISR first becomes empty, the leader it had is kept as
    /// the last known leader; once the partition has a leader again the field is cleared. Null leaves it.
    /// </summary>
    private static List<int>? LastKnownLeader(PartitionRegistration partition, PartitionChangeRecord change, int leader)
    {
        bool alreadyKept = partition.LastKnownElr.Length == 1 && partition.LastKnownElr[0] == partition.Leader;
        if (change.Isr is { Count: 0 } && partition.HasLeader && !alreadyKept) return [partition.Leader];
        if (leader != PartitionRegistration.NoLeader && partition.LastKnownElr.Length > 0) return [];
        return null;
    }

    /// <summary>
    /// Kafka's <c>electAnyLeader</c>: the current leader while it may lead, else the first valid replica in
    /// preference order, else the last known leader (ISR and ELR empty), else, only with the museum's
    /// <see cref="ReintroducedBugs.UncleanLeaderElection"/>, any usable replica.
    /// </summary>
    private static (int Leader, bool Unclean) Elect(PartitionRegistration partition, Func<int, bool> valid, PartitionChangeRequest request,
        bool noEligibleReplica)
    {
        if (partition.HasLeader && valid(partition.Leader)) return (partition.Leader, false);
        foreach (int replica in partition.Replicas)
            if (valid(replica)) return (replica, false);
        if (noEligibleReplica && partition.LastKnownElr.Length == 1 && UsableUnclean(partition.LastKnownElr[0], request))
            return (partition.LastKnownElr[0], true);
        if (request.Bugs.HasFlag(ReintroducedBugs.UncleanLeaderElection))
            foreach (int replica in partition.Replicas)
                if (UsableUnclean(replica, request)) return (replica, true);
        return (PartitionRegistration.NoLeader, false);
    }

    private static bool UsableUnclean(int replica, PartitionChangeRequest request) =>
        replica != request.UncleanShutdownReplica && request.Acceptable(replica);

    /// <summary>Kafka 3.9's builder: an empty target ISR keeps the current one, so the last member stays in it.</summary>
    private static PartitionChangeRecord? WithoutEligibleLeaders(PartitionChangeRequest request)
    {
        PartitionRegistration partition = request.Partition;
        int[] targetIsr = [.. request.TargetIsr];
        if (targetIsr.Length == 0) targetIsr = [.. partition.Isr];
        int leader = PartitionLeaderChanges.ElectLeader(partition, targetIsr, r => r != request.UncleanShutdownReplica && request.Acceptable(r), request.Bugs);
        // An unclean leader starts a new ISR of itself (Kafka's PartitionChangeBuilder with unclean election).
        if (leader != PartitionRegistration.NoLeader && !targetIsr.Contains(leader)) targetIsr = [leader];
        PartitionChangeRecord change = Record(request, leader, targetIsr);
        return IsNoOp(change) ? null : change;
    }

    private static PartitionChangeRecord Record(PartitionChangeRequest request, int leader, IReadOnlyList<int> isr)
    {
        PartitionRegistration partition = request.Partition;
        bool recoveryChanges = request.TargetLeaderRecoveryState is LeaderRecoveryState target && target != partition.LeaderRecoveryState;
        return new PartitionChangeRecord
        {
            TopicId = request.Topic.TopicId,
            PartitionId = request.Index,
            Isr = isr.SequenceEqual(partition.Isr) ? null : [.. isr],
            Leader = leader != partition.Leader ? leader : PartitionRegistration.NoLeaderChange,
            LeaderRecoveryState = recoveryChanges ? (sbyte)request.TargetLeaderRecoveryState!.Value : (sbyte)-1,
        };
    }

    /// <summary>Kafka's <c>changeRecordIsNoOp</c> over the fields this core writes.</summary>
    private static bool IsNoOp(PartitionChangeRecord change) =>
        change.Isr is null && change.EligibleLeaderReplicas is null && change.LastKnownElr is null
        && change.Leader == PartitionRegistration.NoLeaderChange && change.LeaderRecoveryState < 0;
}
