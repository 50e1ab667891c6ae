using Reference.Simulation.Monitors;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Spec.Data;

/// <summary>
/// A committed offset does not go back (Kafka's group coordinator: an OffsetCommit acknowledged is in
/// <c>__consumer_offsets</c>, replicated as any acks=all write). An OffsetFetch invoked after a commit of
/// offset C was acknowledged returns at least C, unless a newer commit asked for less (the consumer re-reads
/// from the start and may commit a lower position: the floor then drops to it from that commit's invocation).
/// Excused only when the commit may have been lost to the disks: every replica that held the end of the
/// group's <c>__consumer_offsets</c> partition when the commit was acknowledged later lost that end
/// (<see cref="ReplicaLossWatch"/>). That excuse is wider than the commit record alone (the watch is on
/// the log's last record, which the commit is at or before), so in a run with such a loss this check is
/// weaker than exact; in every other run it is exact. Not judged: an answer from a node that the newest
/// committed metadata no longer names as the coordinator (a zombie coordinator's stale cache, which Kafka
/// serves too: an OffsetFetch makes no round to the quorum).
/// Memory: one floor per partition, one entry per fetch in flight.
/// </summary>
public sealed class CommittedOffsetsNeverRegress : DataMonitor
{
    private sealed record Floor(long Offset, long SetAtMs, LossWatch Watch);

    private readonly SortedDictionary<int, Floor> _floor = [];
    private readonly Dictionary<long, Floor> _floorAtInvocation = new();

    public override string Name => "CommittedOffsetsNeverRegress";

    public override IReadOnlyList<string> SometimesGoals => [DataGoals.CommitReadBack];

    protected override MonitorViolation? Check(DataObservation observation, HistoryEntry entry, DataOperation operation, Coverage coverage)
    {
        int partition = operation.Partition;
        switch (operation.Name, entry.Kind)
        {
            case (DataOperation.Commit, HistoryKind.Invoke) when operation.Offset is long asked && _floor.TryGetValue(partition, out Floor? floor) && asked < floor.Offset:
                _floor[partition] = floor with { Offset = asked, SetAtMs = entry.TimeMs };
                break;
            case (DataOperation.Commit, HistoryKind.Ok) when operation.Offset is long committed:
                long lastOffset = observation.Nodes.Max(n => n.Storage.Extent(observation.OffsetsLog).EndOffset) - 1;
                _floor[partition] = new Floor(committed, entry.TimeMs, Watch(observation, observation.OffsetsLog, lastOffset));
                break;
            case (DataOperation.FetchOffset, HistoryKind.Invoke):
                if (_floor.TryGetValue(partition, out Floor? current)) _floorAtInvocation[entry.OperationId] = current;
                break;
            case (DataOperation.FetchOffset, _):
                if (!_floorAtInvocation.Remove(entry.OperationId, out Floor? owed) || entry.Kind != HistoryKind.Ok || operation.Offset is not long fetched) break;
                // A node the newest metadata no longer names as the coordinator answered from its own stale image (cut
                // off from the controllers, it still thinks it leads the offsets partition). Kafka's coordinator does
                // the same: OffsetFetch is served from the coordinator's cache without a round to the quorum, so a
                // zombie coordinator's read may be stale. Not a lost commit; the floor stands for the next read.
                if (operation.Node is int answeredBy && observation.OffsetsCoordinator is int coordinator && answeredBy != coordinator)
                    break;
                coverage.Reached(DataGoals.CommitReadBack);
                if (fetched >= owed.Offset) break;
                if (owed.Watch.IsLost)
                {
                    _floor.Remove(partition);
                    break;
                }
                return Violation($"the committed offset of {DataLog(partition)} for group {DataOperation.GroupId} went back: {owed.Offset} " +
                    $"(committed by {owed.SetAtMs} ms), then OffsetFetch at {entry.TimeMs} ms returned {fetched}, and the replicas of " +
                    $"{observation.OffsetsLog} did not all lose the commit to a crash");
        }
        return null;
    }
}
