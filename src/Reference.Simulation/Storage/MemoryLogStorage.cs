using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Records;

namespace Reference.Simulation.Storage;

/// <summary>
/// A node's disk, in memory: the logs' batches, what of them is durable, and the quorum state. It carries
/// out the storage effects a node emits (<see cref="Apply"/>) and answers its reads. <see cref="Crash"/>
/// keeps only what was durable, as a power cut would; the simulator can also tear or corrupt what remains.
/// Deterministic: no clock, no hashing order.
/// </summary>
public sealed class MemoryLogStorage : ILogStorage
{
    private readonly SortedDictionary<TopicPartition, MemoryLog> _logs = new();

    public Protocol.Messages.QuorumStateData? QuorumState { get; private set; }

    /// <summary>The clock used to stamp new segments (the simulator's virtual time).</summary>
    public long NowMs { get; set; }

    public long SegmentBytes { get; init; } = 1L << 30;

    public IReadOnlyList<TopicPartition> Logs => _logs.Keys.ToList();

    /// <summary>Carries out a storage effect; other effects are ignored. Returns false for a rejected append.</summary>
    public bool Apply(NodeEffect effect)
    {
        switch (effect)
        {
            case NodeEffect.AppendToLog append:
                return LogFor(append.Log).Append(append.BaseOffset, append.Batches, NowMs, SegmentBytes);
            case NodeEffect.TruncateLog truncate:
                if (_logs.TryGetValue(truncate.Log, out MemoryLog? truncated)) truncated.Truncate(truncate.EndOffset);
                return true;
            case NodeEffect.AdvanceLogStart advance:
                LogFor(advance.Log).AdvanceStart(advance.NewStartOffset);
                return true;
            case NodeEffect.DeleteLog delete:
                _logs.Remove(delete.Log);
                return true;
            case NodeEffect.PersistQuorumState persist:
                QuorumState = persist.State;
                return true;
            default:
                return true;
        }
    }

    /// <summary>Makes everything written to the log durable; returns the durable end offset.</summary>
    public long Flush(TopicPartition log) => _logs.TryGetValue(log, out MemoryLog? memoryLog) ? memoryLog.Flush() : 0;

    /// <summary>A power cut: every log keeps only its durable prefix.</summary>
    public void Crash()
    {
        foreach (MemoryLog log in _logs.Values) log.Truncate(log.DurableEndOffset);
    }

    public LogExtent Extent(TopicPartition log) =>
        _logs.TryGetValue(log, out MemoryLog? memoryLog) ? memoryLog.Extent : default;

    public ReadOnlyMemory<byte> Read(TopicPartition log, long fromOffset, long endOffsetExclusive, int maxBytes) =>
        _logs.TryGetValue(log, out MemoryLog? memoryLog) ? memoryLog.Read(fromOffset, endOffsetExclusive, maxBytes) : ReadOnlyMemory<byte>.Empty;

    public IReadOnlyList<LogSegmentInfo> Segments(TopicPartition log) =>
        _logs.TryGetValue(log, out MemoryLog? memoryLog) ? memoryLog.Segments() : [];

    public long? OffsetForTimestamp(TopicPartition log, long timestampMs) =>
        _logs.TryGetValue(log, out MemoryLog? memoryLog) ? memoryLog.OffsetForTimestamp(timestampMs) : null;

    public IReadOnlyList<EpochStartOffset> LeaderEpochs(TopicPartition log) =>
        _logs.TryGetValue(log, out MemoryLog? memoryLog) ? memoryLog.LeaderEpochs() : [];

    private MemoryLog LogFor(TopicPartition log)
    {
        if (!_logs.TryGetValue(log, out MemoryLog? memoryLog)) _logs[log] = memoryLog = new MemoryLog();
        return memoryLog;
    }
}
