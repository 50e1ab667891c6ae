using Reference.Simulation.Monitors;
using Reference.Spec.Raft;

namespace Reference.Spec.Liveness;

/// <summary>
/// Hot while a leader holds entries past its high watermark: what a leader appended (a proposal, its epoch's
/// LeaderChange record) is eventually committed while a majority is up and connected (Raft §5.3: the leader
/// retries until followers hold its entries; KIP-595: the high watermark follows the majority's fetches).
/// Judged on fair schedules only.
/// </summary>
public sealed class ProposalEventuallyCommitted : ILivenessMonitor
{
    public string Name => "ProposalEventuallyCommitted";

    public Temperature Observe(ClusterView view) => Observe(RaftObservation.Of(view));

    public static Temperature Observe(RaftObservation observation)
    {
        foreach (RaftNodeReading node in observation.NodeSpan)
            if (node.Replica is { IsLeader: true } leader && leader.LogEndOffset > leader.HighWatermark) return Temperature.Hot;
        return Temperature.Cold;
    }
}
