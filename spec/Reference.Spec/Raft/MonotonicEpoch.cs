using Reference.Core.Log;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// Kafka's <c>MonotonicEpoch</c> (RaftEventSimulationTest): a node's epoch never goes back. Raft §5.1: "current
/// terms are exchanged whenever servers communicate; if one server's current term is smaller than the
/// other's, then it updates its current term to the larger value" — never to a smaller one. Two readings:
/// <list type="bullet">
/// <item>the epoch on disk (the persisted quorum state) never decreases, across crashes and restarts, because
/// it is what a voter promised on; only a restart with an empty disk (a new storage object) starts it
/// over, as a new node;</item>
/// <item>the epoch in memory never decreases while the process runs (one incarnation). A restart reads it
/// back from disk, and a crash part-way through a step may have lost a bump that was never persisted, so
/// nothing was promised on it; that is why the in-memory rule is per incarnation.</item>
/// </list>
/// Memory: two entries per node.
/// </summary>
public sealed class MonotonicEpoch : RaftMonitor
{
    private readonly NodeTable<(ILogStorage Disk, int Epoch)> _persisted = new();
    private readonly NodeTable<(int Incarnation, int Epoch)> _inMemory = new();
    private readonly JudgedReadings _judged = new();

    public override string Name => "MonotonicEpoch";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (_judged.AlreadyJudged(node)) continue;
            if (node.Persisted is { } persisted)
            {
                if (_persisted.TryGetValue(node.NodeId, out var last) && ReferenceEquals(last.Disk, node.Storage) && persisted.LeaderEpoch < last.Epoch)
                    return Violation($"node {node.NodeId}'s persisted epoch went back from {last.Epoch} to {persisted.LeaderEpoch}");
                _persisted.Set(node.NodeId, (node.Storage, persisted.LeaderEpoch));
            }
            if (node.Replica is ReplicaReading replica)
            {
                if (_inMemory.TryGetValue(node.NodeId, out var last) && last.Incarnation == node.Incarnation && replica.Epoch < last.Epoch)
                    return Violation($"node {node.NodeId}'s epoch went back from {last.Epoch} to {replica.Epoch} (incarnation {node.Incarnation})");
                _inMemory.Set(node.NodeId, (node.Incarnation, replica.Epoch));
            }
            _judged.Judged(node);
        }
        return null;
    }
}
