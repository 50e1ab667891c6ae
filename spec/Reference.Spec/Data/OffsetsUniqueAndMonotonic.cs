using Reference.Simulation.Monitors;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Spec.Data;

/// <summary>
/// Jepsen's Kafka offset anomalies ("inconsistent offsets", "nonmonotonic poll", "skipped offsets"): an
/// offset of a partition holds one record for good. Precisely:
/// <list type="bullet">
/// <item>within one poll the records start at the offset asked for and go up by exactly one, all below the
/// high watermark the leader reported: the workload writes no transactions (no control batches) and the
/// topic is not compacted, so a committed log has no holes, and a read never goes back;</item>
/// <item>two reads of one offset return the same value, and two acks=all acknowledgements never give one
/// offset to two values, unless every replica that held the first lost it to its disk in between (the
/// guarantee in force, <see cref="ReplicaLossWatch"/>).</item>
/// </list>
/// Across polls the consumer chooses where to read from (it re-reads from the start now and then), so only
/// what the leader returns is checked. Memory: one entry per offset read or acknowledged.
/// </summary>
public sealed class OffsetsUniqueAndMonotonic : DataMonitor
{
    private sealed record Holder(string Value, long AtMs, string How, LossWatch Watch);

    private readonly Dictionary<(int Partition, long Offset), Holder> _read = new();
    private readonly Dictionary<(int Partition, long Offset), Holder> _acknowledged = new();

    public override string Name => "OffsetsUniqueAndMonotonic";

    protected override MonitorViolation? Check(DataObservation observation, HistoryEntry entry, DataOperation operation, Coverage coverage)
    {
        if (entry.Kind != HistoryKind.Ok) return null;
        if (operation.Name == DataOperation.Send && operation.Acks == -1 && operation.Offset is long offset && operation.Value is string value)
            return Claim(_acknowledged, observation, operation.Partition, offset, value, entry.TimeMs, "acknowledged");
        return operation.Name == DataOperation.Poll ? CheckPoll(observation, entry, operation) : null;
    }

    private MonitorViolation? CheckPoll(DataObservation observation, HistoryEntry entry, DataOperation poll)
    {
        long expected = poll.From;
        foreach ((long offset, string value) in poll.Records())
        {
            if (offset != expected)
                return Violation($"a poll of {DataLog(poll.Partition)} from {poll.From} at {entry.TimeMs} ms returned offset {offset} where {expected} " +
                    $"comes next ({(offset < expected ? "back or again" : "a hole")})");
            if (poll.HighWatermark is long highWatermark && offset >= highWatermark)
                return Violation($"a poll of {DataLog(poll.Partition)} at {entry.TimeMs} ms returned offset {offset}, at or past the high watermark {highWatermark}");
            if (Claim(_read, observation, poll.Partition, offset, value, entry.TimeMs, "read") is { } violation) return violation;
            expected++;
        }
        return null;
    }

    /// <summary>Records that <paramref name="value"/> holds the offset; another value there before is a violation unless it was lost to the disks.</summary>
    private MonitorViolation? Claim(Dictionary<(int, long), Holder> seen, DataObservation observation, int partition, long offset, string value, long atMs, string how)
    {
        if (seen.TryGetValue((partition, offset), out Holder? earlier))
        {
            if (earlier.Value == value) return null;
            if (!earlier.Watch.IsLost)
                return Violation($"offset {offset} of {DataLog(partition)} was {earlier.How} as {earlier.Value} at {earlier.AtMs} ms and {how} as {value} " +
                    $"at {atMs} ms, though not every replica that held {earlier.Value} lost it to a crash");
            Forget(earlier.Watch);
        }
        seen[(partition, offset)] = new Holder(value, atMs, how, Watch(observation, DataLog(partition), offset));
        return null;
    }
}
