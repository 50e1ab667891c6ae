using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Records;

namespace Reference.Core.Raft;

/// <summary>
/// The metadata log as this replica sees it: its extent, how much of it is durable, and its epoch cache.
/// Storage carries out writes only after the step that asks for them (they are effects), so this view runs
/// ahead of <see cref="ILogStorage"/> within a step; reads go to storage, which holds what earlier steps wrote.
/// </summary>
internal sealed class RaftLog(ILogStorage storage)
{
    public static readonly TopicPartition Partition = TopicPartition.ClusterMetadata;

    private LeaderEpochCache _epochs = new([]);

    public long StartOffset { get; private set; }

    /// <summary>One past the last offset written, durable or not.</summary>
    public long EndOffset { get; private set; }

    /// <summary>One past the last offset known to be on stable storage; never above <see cref="EndOffset"/>.</summary>
    public long DurableEndOffset { get; private set; }

    /// <summary>The epoch of the last batch in the log, or <see cref="OffsetAndEpoch.NoEpoch"/> when it is empty.</summary>
    public int LastEpoch => _epochs.LatestEpoch ?? OffsetAndEpoch.NoEpoch;

    /// <summary>The log's end with the epoch of its last batch: what a vote compares (Raft §5.4.1).</summary>
    public OffsetAndEpoch EndOffsetAndEpoch => new(EndOffset, LastEpoch);

    public IReadOnlyList<EpochStartOffset> Epochs => _epochs.Entries;

    /// <summary>Reads the extent and the epoch cache from storage, as found after a (re)start.</summary>
    public void Load()
    {
        LogExtent extent = storage.Extent(Partition);
        StartOffset = extent.StartOffset;
        EndOffset = extent.EndOffset;
        DurableEndOffset = Math.Min(extent.DurableEndOffset, extent.EndOffset);
        _epochs = new LeaderEpochCache(storage.LeaderEpochs(Partition));
        if (_epochs.Entries.Count > 0 && _epochs.Entries[^1].StartOffset >= EndOffset)
            throw new InvalidOperationException($"the epoch cache ends at {_epochs.Entries[^1]}, past the log end {EndOffset}");
    }

    /// <summary>
    /// The end of <paramref name="epoch"/> in this log: the largest epoch at or below it that the log holds, and
    /// where the next one starts (the log end for the latest). Kafka's <c>KafkaMetadataLog.endOffsetForEpoch</c>
    /// over the cache's <c>endOffsetFor</c>, so no fetch is ever answered "undefined": an epoch newer than the
    /// log's last ends at the log end in the last epoch, and one older than every epoch in the log (or any, in an
    /// empty log) ends where the first one starts, in no epoch.
    /// </summary>
    public LeaderEpochEnd EndOffsetForEpoch(int epoch)
    {
        if (_epochs.Entries.Count == 0) return new LeaderEpochEnd(OffsetAndEpoch.NoEpoch, EndOffset);
        if (epoch < _epochs.Entries[0].Epoch) return new LeaderEpochEnd(OffsetAndEpoch.NoEpoch, _epochs.Entries[0].StartOffset);
        LeaderEpochEnd end = _epochs.EndOffsetFor(epoch, EndOffset);
        return end == LeaderEpochEnd.Undefined ? new LeaderEpochEnd(LastEpoch, EndOffset) : end;
    }

    /// <summary>Appends one batch the leader built at the log end, and asks for it to be made durable.</summary>
    public void AppendAsLeader(byte[] batch, Effects effects)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        if (header.BaseOffset != EndOffset) throw new InvalidOperationException($"a leader batch at {header.BaseOffset} is not at the log end {EndOffset}");
        if (header.SizeBytes != batch.Length) throw new InvalidOperationException("a leader appends exactly one whole batch");
        // Epochs only grow along the log: a leader stamps its own epoch, newer than any batch it holds.
        if (header.PartitionLeaderEpoch < Math.Max(LastEpoch, 0))
            throw new InvalidOperationException($"a leader batch of epoch {header.PartitionLeaderEpoch} would follow epoch {LastEpoch}");
        _epochs.Assign(header.PartitionLeaderEpoch, header.BaseOffset);
        EndOffset = header.NextOffset;
        effects.Add(new NodeEffect.AppendToLog(Partition, header.BaseOffset, batch));
        effects.Add(new NodeEffect.FlushLog(Partition));
    }

    /// <summary>
    /// Appends the batches of a fetch response that <see cref="FollowerBatches"/> accepts: they follow on
    /// from the log end, are intact, and carry an epoch between the log's last and <paramref name="leaderEpoch"/>.
    /// Returns how many batches it appended.
    /// </summary>
    public int AppendAsFollower(ReadOnlyMemory<byte> records, int leaderEpoch, Effects effects)
    {
        AcceptedBatches accepted = FollowerBatches.Accept(records, EndOffset, LastEpoch, leaderEpoch, RecordBatchRules.ForStored(RaftLimits.BatchSizeBytesMax));
        if (accepted.IsEmpty) return 0;
        foreach (EpochStartOffset epoch in accepted.Epochs) _epochs.Assign(epoch.Epoch, epoch.StartOffset);
        effects.Add(new NodeEffect.AppendToLog(Partition, EndOffset, accepted.Bytes));
        effects.Add(new NodeEffect.FlushLog(Partition));
        EndOffset = accepted.NextOffset;
        return accepted.Headers.Count;
    }

    /// <summary>
    /// Removes everything from <paramref name="endOffset"/> on. Storage truncates at batch boundaries, so a
    /// point inside a batch takes the whole batch; returns where the log now ends.
    /// </summary>
    public long TruncateTo(long endOffset, Effects effects)
    {
        if (endOffset >= EndOffset) return EndOffset;
        long boundary = FollowerBatches.BatchStartAtOrBelow(storage, Partition, endOffset);
        effects.Add(new NodeEffect.TruncateLog(Partition, boundary));
        _epochs.TruncateFromEnd(boundary);
        EndOffset = boundary;
        DurableEndOffset = Math.Min(DurableEndOffset, boundary);
        return boundary;
    }

    /// <summary>
    /// Takes note of a flush. The report may predate a truncation that followed it, so it counts only as
    /// far as storage itself says is durable now, and never past the log end.
    /// </summary>
    public void OnFlushed(long reportedDurableEndOffset)
    {
        long durable = Math.Min(Math.Min(reportedDurableEndOffset, storage.Extent(Partition).DurableEndOffset), EndOffset);
        DurableEndOffset = Math.Max(DurableEndOffset, durable);
    }

    /// <summary>Whole batches from the one holding <paramref name="fromOffset"/> up to the log end.</summary>
    public ReadOnlyMemory<byte> Read(long fromOffset, int maxBytes) => storage.Read(Partition, fromOffset, EndOffset, maxBytes);
}
