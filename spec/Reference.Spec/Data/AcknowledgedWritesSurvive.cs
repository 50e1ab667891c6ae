using Reference.Simulation.Monitors;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Spec.Data;

/// <summary>
/// Jepsen's "lost write" for Kafka: a write the leader acknowledged with acks=all (so min.insync.replicas
/// held: the leader refuses acks=all below it) is readable at the offset it was given, with its value, by
/// any read of that offset after the acknowledgement reached the producer. Checked whenever the consumer
/// reads past an acknowledged offset (it re-reads from the start now and then). The one excuse is the
/// guarantee in force (<see cref="ReplicaLossWatch"/>): every replica that held the write when the
/// producer saw the acknowledgement later lost it to its disk, which Kafka's default (no fsync before the
/// acknowledgement) allows when all of them crash, and FlushBeforeAcknowledge does not.
/// Memory: one entry per acknowledged write not yet read back.
/// </summary>
public sealed class AcknowledgedWritesSurvive : DataMonitor
{
    private sealed record Acknowledged(string Value, long AcknowledgedAtMs, LossWatch Watch);

    private readonly SortedDictionary<(int Partition, long Offset), List<Acknowledged>> _unread = [];

    public override string Name => "AcknowledgedWritesSurvive";

    public override IReadOnlyList<string> SometimesGoals => [DataGoals.AcknowledgedWriteReadBack, DataGoals.AcknowledgedWriteLostToCrash];

    protected override MonitorViolation? Check(DataObservation observation, HistoryEntry entry, DataOperation operation, Coverage coverage)
    {
        if (entry.Kind != HistoryKind.Ok) return null;
        if (operation.Name == DataOperation.Send && operation.Acks == -1 && operation.Offset is long offset && operation.Value is string value)
        {
            var key = (operation.Partition, offset);
            if (!_unread.TryGetValue(key, out List<Acknowledged>? writes)) _unread[key] = writes = [];
            writes.Add(new Acknowledged(value, entry.TimeMs, Watch(observation, DataLog(operation.Partition), offset)));
            return null;
        }
        return operation.Name == DataOperation.Poll ? CheckRead(entry, operation, coverage) : null;
    }

    /// <summary>Every unread acknowledged write inside the poll's range must be what the poll found at its offset.</summary>
    private MonitorViolation? CheckRead(HistoryEntry entry, DataOperation poll, Coverage coverage)
    {
        IReadOnlyList<(long Offset, string Value)> records = poll.Records();
        if (records.Count == 0) return null;
        var read = records.ToDictionary(r => r.Offset, r => r.Value);
        long last = records.Max(r => r.Offset);
        var covered = _unread.Keys.Where(k => k.Partition == poll.Partition && k.Offset >= poll.From && k.Offset <= last).ToList();
        foreach (var key in covered)
        {
            string? found = read.GetValueOrDefault(key.Offset);
            foreach (Acknowledged write in _unread[key])
            {
                if (found == write.Value || write.Watch.IsLost)
                {
                    coverage.Reached(found == write.Value ? DataGoals.AcknowledgedWriteReadBack : DataGoals.AcknowledgedWriteLostToCrash);
                    Forget(write.Watch);
                    continue;
                }
                return Violation($"acknowledged write {write.Value} (acks=all, {DataLog(key.Partition)} offset {key.Offset}, acknowledged at " +
                    $"{write.AcknowledgedAtMs} ms) is lost: at {entry.TimeMs} ms the consumer read {(found is null ? "no record" : found)} at that offset, " +
                    "though not every replica that held it lost it to a crash");
            }
            _unread.Remove(key);
        }
        return null;
    }
}
