using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// Kafka's <c>MajorityReachedHighWatermark</c> (RaftEventSimulationTest): everything below a high watermark is
/// on stable storage on a majority of voters. Raft §5.3: an entry is committed "once the leader that created
/// the entry has replicated it on a majority of the servers", and §5.6/Figure 2 need that replication to be
/// durable, or a power cut of the majority un-commits it. KRaft adds that a voter's fetch offset counts only
/// once flushed.
/// <para>
/// Checked for the highest high watermark of any running replica (followers and observers too: they learn it
/// from a leader, so it must also be majority-durable), against every voter's durable end offset of
/// <c>__cluster_metadata</c> on disk (a down voter's disk counts: what was durable survives the crash).
/// Holds only while voters keep what they flushed: with the simulator's <c>voter-data-loss=on</c> a wiped or
/// rotted voter disk can break it, and that is Raft's stated assumption, not a bug.
/// </para>
/// <para>
/// A voter whose disk was replaced and that can tell (its voter entry names a directory id, KIP-853) is
/// excused: it counts as holding, since nothing can keep what its old disk lost (Kafka leaves this invariant
/// out of its committed-data-loss scenario for the same reason). What keeps the data safe then is that the
/// node no longer votes or counts toward the high watermark, which the other monitors check by their effects.
/// </para>
/// </summary>
public sealed class MajorityReachedHighWatermark : RaftMonitor
{
    public override string Name => "MajorityReachedHighWatermark";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        // Loops rather than LINQ: this runs after every event. The highest is the first running node with the
        // largest high watermark; the list of durable ends is built only for a violation's message.
        IReadOnlyList<RaftNodeReading> nodes = observation.Nodes;
        RaftNodeReading? highest = null;
        for (int i = 0; i < nodes.Count; i++)
            if (nodes[i].IsRunning && (highest is null || nodes[i].Replica!.Value.HighWatermark > highest.Replica!.Value.HighWatermark)) highest = nodes[i];
        if (highest is null) return null;
        long highWatermark = highest.Replica!.Value.HighWatermark;
        if (highWatermark == 0) return null;
        int replaced = 0, durableHolding = 0;
        for (int i = 0; i < nodes.Count; i++)
        {
            if (!nodes[i].IsVoter) continue;
            if (nodes[i].IsVoterDiskReplaced) replaced++;
            else if (nodes[i].MetadataLog.DurableEndOffset >= highWatermark) durableHolding++;
        }
        int holding = durableHolding + replaced;
        if (holding >= observation.MajoritySize) return null;
        var durable = nodes.Where(n => n.IsVoter && !n.IsVoterDiskReplaced).Select(n => (n.NodeId, n.MetadataLog.DurableEndOffset)).ToList();
        return Violation($"node {highest.NodeId}'s high watermark {highWatermark} is durable on only {holding - replaced} of {observation.VoterCount} voters " +
            $"({replaced} excused for a replaced disk) " +
            $"(durable ends: {string.Join(", ", durable.Select(v => $"{v.NodeId}:{v.DurableEndOffset}"))})");
    }
}
