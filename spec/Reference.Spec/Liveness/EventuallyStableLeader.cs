using Reference.Core.Raft;
using Reference.Simulation.Monitors;
using Reference.Spec.Raft;

namespace Reference.Spec.Liveness;

/// <summary>
/// Hot until one leader has held the highest epoch for <see cref="StableForMs"/>: with a majority connected,
/// leadership settles. A voter cut off from the leader alone must not keep unseating it: KIP-996's pre-vote,
/// with followers refusing while they still fetch from a live leader, exists for exactly this. In KRaft the
/// check's absence costs one needless change rather than a ping-pong (the new leader's LeaderChange record
/// leaves the old one's log behind), which <see cref="Raft.LeaderNotDisrupted"/> catches; this monitor
/// catches leadership that never settles. Judged on fair schedules only.
/// </summary>
public sealed class EventuallyStableLeader : ILivenessMonitor
{
    /// <summary>Longer than an election round (KRaft's default election and fetch timeouts are 1 and 2 s).</summary>
    public const long StableForMs = 5_000;

    private (int Epoch, int Leader) _current = (-1, -1);
    private long _sinceMs;

    public string Name => "EventuallyStableLeader";

    public Temperature Observe(ClusterView view) => Observe(RaftObservation.Of(view));

    public Temperature Observe(RaftObservation observation)
    {
        (int Epoch, int Leader) leading = (-1, -1);
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (!node.IsVoter || node.Replica is not ReplicaReading replica) continue;
            if (replica.Epoch > leading.Epoch) leading = (replica.Epoch, -1);
            if (replica.Epoch == leading.Epoch && replica.State == QuorumStateKind.Leader) leading = (replica.Epoch, node.NodeId);
        }
        if (leading != _current)
        {
            _current = leading;
            _sinceMs = observation.NowMs;
        }
        return leading.Leader >= 0 && observation.NowMs - _sinceMs >= StableForMs ? Temperature.Cold : Temperature.Hot;
    }
}
