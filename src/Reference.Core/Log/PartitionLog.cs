using Reference.Core.Node;
using Reference.Protocol.Records;

namespace Reference.Core.Log;

/// <summary>Where an appended batch landed: its first and last offset.</summary>
public readonly record struct AppendedBatch(long BaseOffset, long LastOffset);

/// <summary>
/// The offsets of one partition's log as this node sees them (Kafka's <c>UnifiedLog</c> without the
/// files): log start ≤ high watermark ≤ log end, and durable end ≤ log end. Appends go out as
/// <see cref="NodeEffect.AppendToLog"/> and are counted here at once; what the storage holds catches up
/// when the shell carries the effect out, at the end of the step.
/// </summary>
public sealed class PartitionLog
{
    public PartitionLog(TopicPartition name, LogExtent extent, IEnumerable<EpochStartOffset> epochs)
    {
        Invariant.Require(extent.StartOffset <= extent.EndOffset && extent.DurableEndOffset <= extent.EndOffset);
        Name = name;
        LogStartOffset = extent.StartOffset;
        LogEndOffset = extent.EndOffset;
        DurableEndOffset = Math.Max(extent.DurableEndOffset, extent.StartOffset);
        // Kafka checkpoints the HW; our storage keeps none, so a loaded log starts with nothing committed
        // that this node can vouch for, and the leader raises the HW again as its ISR reports in.
        HighWatermark = extent.StartOffset;
        Epochs = new LeaderEpochCache(epochs);
    }

    public TopicPartition Name { get; }

    public long LogStartOffset { get; private set; }

    /// <summary>One past the last offset appended (LEO), durable or not.</summary>
    public long LogEndOffset { get; private set; }

    /// <summary>One past the last offset the storage reported durable (LogFlushed).</summary>
    public long DurableEndOffset { get; private set; }

    /// <summary>Everything below it is committed: replicated to the ISR (and durable, when so configured).</summary>
    public long HighWatermark { get; private set; }

    /// <summary>No transactions yet, so nothing is unstable: the LSO is the HW (KIP-98).</summary>
    public long LastStableOffset => HighWatermark;

    public LeaderEpochCache Epochs { get; }

    /// <summary>A FlushLog is out and its LogFlushed has not come back; appends meanwhile wait for the next one (group commit).</summary>
    public bool FlushInFlight { get; private set; }

    /// <summary>
    /// Appends one validated batch as the leader: copies it, patches BaseOffset and PartitionLeaderEpoch
    /// (outside the CRC), stamps LogAppendTime when asked (which recomputes the CRC), and emits the append.
    /// Offsets stay dense: the batch starts exactly at the old log end.
    /// </summary>
    public AppendedBatch AppendAsLeader(ReadOnlySpan<byte> validatedBatch, int leaderEpoch, long? logAppendTimeMs, Effects effects)
    {
        byte[] bytes = validatedBatch.ToArray();
        long baseOffset = LogEndOffset;
        long nextOffset = RecordBatchPatch.AssignOffsets(bytes, baseOffset, leaderEpoch);
        if (logAppendTimeMs is long appendTimeMs) RecordBatchPatch.SetLogAppendTime(bytes, appendTimeMs);
        Invariant.Require(nextOffset > baseOffset);
        Epochs.Assign(leaderEpoch, baseOffset);
        effects.Add(new NodeEffect.AppendToLog(Name, baseOffset, bytes));
        LogEndOffset = nextOffset;
        return new AppendedBatch(baseOffset, nextOffset - 1);
    }

    /// <summary>
    /// Appends, as a follower, batches the leader already gave their offsets and epochs (Kafka's
    /// <c>appendAsFollower</c>): <paramref name="batches"/> must follow on from the log end; each batch's
    /// epoch is recorded in the epoch cache, so this log can later say where each epoch ended (KIP-101).
    /// </summary>
    public void AppendAsFollower(ReadOnlyMemory<byte> batches, IReadOnlyList<EpochStartOffset> batchEpochs, long nextOffset, Effects effects)
    {
        Invariant.Require(nextOffset > LogEndOffset && batchEpochs.Count > 0 && batchEpochs[0].StartOffset == LogEndOffset);
        foreach (EpochStartOffset epoch in batchEpochs) Epochs.Assign(epoch.Epoch, epoch.StartOffset);
        effects.Add(new NodeEffect.AppendToLog(Name, LogEndOffset, batches));
        LogEndOffset = nextOffset;
    }

    /// <summary>
    /// Cuts the log at <paramref name="batchBoundary"/>, the first offset of a batch (a follower whose tail
    /// diverged from the leader's, KIP-101/KIP-279): the HW and durable end come down with it, and the epoch
    /// cache forgets the epochs that started at or after it (Kafka's <c>UnifiedLog.truncateTo</c>).
    /// </summary>
    public void TruncateTo(long batchBoundary, Effects effects)
    {
        Invariant.Require(batchBoundary >= LogStartOffset && batchBoundary < LogEndOffset);
        effects.Add(new NodeEffect.TruncateLog(Name, batchBoundary));
        Epochs.TruncateFromEnd(batchBoundary);
        LogEndOffset = batchBoundary;
        HighWatermark = Math.Min(HighWatermark, batchBoundary);
        DurableEndOffset = Math.Min(DurableEndOffset, batchBoundary);
    }

    /// <summary>Raises the HW to <paramref name="candidate"/> if that is higher; a leader's HW never goes back.</summary>
    public bool TryAdvanceHighWatermark(long candidate)
    {
        Invariant.Require(candidate <= LogEndOffset);
        if (candidate <= HighWatermark) return false;
        HighWatermark = candidate;
        Invariant.Require(LogStartOffset <= HighWatermark && HighWatermark <= LogEndOffset);
        return true;
    }

    /// <summary>Emits a FlushLog unless one is already out: appends that arrive meanwhile share the next one.</summary>
    public void RequestFlush(Effects effects)
    {
        if (FlushInFlight || DurableEndOffset >= LogEndOffset) return;
        FlushInFlight = true;
        effects.Add(new NodeEffect.FlushLog(Name));
    }

    /// <summary>The storage made everything below <paramref name="durableEndOffset"/> durable; returns whether that moved.</summary>
    public bool OnFlushed(long durableEndOffset)
    {
        FlushInFlight = false;
        long durable = Math.Min(durableEndOffset, LogEndOffset);
        if (durable <= DurableEndOffset) return false;
        DurableEndOffset = durable;
        return true;
    }

    /// <summary>
    /// Moves the log start up (retention, DeleteRecords). Never past the HW, so a consumer can never be
    /// told that committed data it has not read yet was never there (Kafka's maybeIncrementLogStartOffset).
    /// </summary>
    public void AdvanceStart(long newStartOffset, Effects effects)
    {
        Invariant.Require(newStartOffset <= HighWatermark);
        if (newStartOffset <= LogStartOffset) return;
        LogStartOffset = newStartOffset;
        DurableEndOffset = Math.Max(DurableEndOffset, newStartOffset);
        Epochs.TruncateFromStart(newStartOffset);
        effects.Add(new NodeEffect.AdvanceLogStart(Name, newStartOffset));
    }
}
