using Reference.Core;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// Kafka's <c>SnapshotAtLogStart</c> (RaftEventSimulationTest), KIP-630's promise that nothing below the log
/// start is lost: for every running node that holds a snapshot, the log start is at or below the earliest
/// snapshot, the earliest snapshot is within the log (at or below its end), and once the log start has moved
/// past 0 the earliest snapshot is exactly at it. Stricter than Kafka's check in one way: a log start past 0
/// with no snapshot at all is a violation too (Kafka's invariant only looks when a snapshot exists).
/// <para>
/// It also counts the snapshot goals: <see cref="RaftGoals.SnapshotWritten"/> when a step writes a snapshot of
/// the metadata log, <see cref="RaftGoals.SnapshotInstalled"/> when a replica's count of installed snapshots
/// grows within an incarnation. Memory: one entry per node.
/// </para>
/// </summary>
public sealed class SnapshotAtLogStart : RaftMonitor
{
    private readonly NodeTable<(int Incarnation, int Installed)> _installed = new();
    private readonly JudgedReadings _judged = new();

    public override string Name => "SnapshotAtLogStart";

    public override IReadOnlyList<string> SometimesGoals => [RaftGoals.SnapshotWritten, RaftGoals.SnapshotInstalled];

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        if (observation.LastEvent is SimulationEvent.InputDelivered step && WritesMetadataSnapshot(step.EffectSpan))
            coverage.Reached(RaftGoals.SnapshotWritten);
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (node.Snapshots is not SnapshotReading snapshots || _judged.AlreadyJudged(node)) continue;
            CountInstalls(node, snapshots, coverage);
            if (CheckNode(node.NodeId, snapshots) is { } violation) return violation;
            _judged.Judged(node);
        }
        return null;
    }

    /// <summary>A loop over a span, not LINQ: it runs after every event, and a closure and an enumerator each time showed in the explorer's profile.</summary>
    private static bool WritesMetadataSnapshot(ReadOnlySpan<NodeEffect> effects)
    {
        foreach (NodeEffect effect in effects)
            if (effect is NodeEffect.WriteSnapshot { Log: var log } && log == TopicPartition.ClusterMetadata) return true;
        return false;
    }

    private void CountInstalls(RaftNodeReading node, SnapshotReading snapshots, Coverage coverage)
    {
        if (_installed.TryGetValue(node.NodeId, out var last) && last.Incarnation == node.Incarnation && snapshots.SnapshotsInstalled > last.Installed)
            coverage.Reached(RaftGoals.SnapshotInstalled);
        _installed.Set(node.NodeId, (node.Incarnation, snapshots.SnapshotsInstalled));
    }

    private static MonitorViolation? CheckNode(int nodeId, SnapshotReading snapshots)
    {
        if (snapshots.EarliestSnapshot is not OffsetAndEpoch earliest)
            return snapshots.LogStartOffset > 0 ? Violation($"node {nodeId}'s metadata log starts at {snapshots.LogStartOffset} with no snapshot") : null;
        if (snapshots.LogStartOffset > earliest.Offset)
            return Violation($"node {nodeId}'s log start {snapshots.LogStartOffset} is past its earliest snapshot {earliest}");
        if (earliest.Offset > snapshots.LogEndOffset)
            return Violation($"node {nodeId}'s earliest snapshot {earliest} is past its log end {snapshots.LogEndOffset}");
        if (snapshots.LogStartOffset > 0 && snapshots.LogStartOffset != earliest.Offset)
            return Violation($"node {nodeId} has no snapshot at its log start {snapshots.LogStartOffset} (earliest is {earliest})");
        return null;
    }
}
