using Reference.Simulation.Monitors;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Spec.Data;

/// <summary>
/// KIP-98's idempotent producer: a batch an idempotent producer retries (same producer id, epoch and
/// sequence) is in the log once. The workload's idempotent producers send each value in one batch, retry
/// it only as that batch, and never send it again after giving up (they take a new producer id instead),
/// so a value of theirs read at two offsets is a duplicate the leader should have dropped (Jepsen's
/// "duplicate"). Excused only when the first copy was lost to the disks (<see cref="ReplicaLossWatch"/>):
/// the leader's producer state went with it, and the retry was rightly appended anew.
/// Memory: one entry per idempotent value sent.
/// </summary>
public sealed class NoDuplicatesWithIdempotence : DataMonitor
{
    private sealed record Copy(int Partition, long Offset, long ReadAtMs, LossWatch Watch);

    private readonly HashSet<string> _idempotentValues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Copy> _firstCopy = new(StringComparer.Ordinal);

    public override string Name => "NoDuplicatesWithIdempotence";

    public override IReadOnlyList<string> SometimesGoals => [DataGoals.IdempotentWriteReadBack];

    protected override MonitorViolation? Check(DataObservation observation, HistoryEntry entry, DataOperation operation, Coverage coverage)
    {
        if (operation.Name == DataOperation.Send && entry.Kind == HistoryKind.Invoke && operation.Idempotent && operation.Value is string sent)
        {
            _idempotentValues.Add(sent);
            return null;
        }
        if (operation.Name != DataOperation.Poll || entry.Kind != HistoryKind.Ok) return null;
        foreach ((long offset, string value) in operation.Records())
        {
            if (!_idempotentValues.Contains(value)) continue;
            if (_firstCopy.TryGetValue(value, out Copy? first))
            {
                if (first.Partition == operation.Partition && first.Offset == offset) continue;
                if (!first.Watch.IsLost)
                    return Violation($"idempotent write {value} is in the log twice: read at {DataLog(first.Partition)} offset {first.Offset} " +
                        $"({first.ReadAtMs} ms) and at {DataLog(operation.Partition)} offset {offset} ({entry.TimeMs} ms)");
                Forget(first.Watch);
            }
            coverage.Reached(DataGoals.IdempotentWriteReadBack);
            _firstCopy[value] = new Copy(operation.Partition, offset, entry.TimeMs, Watch(observation, DataLog(operation.Partition), offset));
        }
        return null;
    }
}
