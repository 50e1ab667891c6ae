using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// Kafka's <c>LeaderNeverLoadSnapshot</c> (RaftEventSimulationTest): a node whose state machine is writable
/// (here: its quorum controller is active, having claimed the leader's epoch) never loads a snapshot. A leader
/// writes the log; loading a snapshot would replace the state it builds its next records on with an older or
/// foreign one. The count of loads is reset at every leader change and at the claim, as Kafka's
/// <c>ReplicatedCounter</c> resets it in <c>handleLeaderChange</c>. Memory: none.
/// </summary>
public sealed class LeaderNeverLoadSnapshot : RaftMonitor
{
    public override string Name => "LeaderNeverLoadSnapshot";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (node.Snapshots is { IsWritable: true, SnapshotLoadsSinceClaim: > 0 } snapshots)
                return Violation($"node {node.NodeId} loaded {snapshots.SnapshotLoadsSinceClaim} snapshot(s) while its controller was active");
        }
        return null;
    }
}
