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

    /// <summary>
    /// The epoch of the last batch in the log, or 0 when it is empty: Kafka's <c>lastFetchedEpoch</c>, which is
    /// what goes out as a Vote's LastOffsetEpoch and a Fetch's LastFetchedEpoch. A Kafka leader refuses a fetch
    /// whose LastFetchedEpoch is negative (INVALID_REQUEST), so an empty log must not say -1 (found by the
    /// golden transcripts: our empty followers sent -1). No leader writes in epoch 0, so 0 orders an empty log
    /// below every written one, as Raft §5.4.1's comparison needs.
    /// </summary>
    public int LastEpoch => _epochs.LatestEpoch ?? 0;

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
    /// log's last ends at the log end in the last epoch; one older than every epoch in the log ends where the
    /// first one starts, in the epoch asked about (Kafka's <c>LeaderEpochFileCache.endOffsetFor</c>), so an empty
    /// follower's fetch at 0 in epoch 0 matches; an empty log ends at its end in <see cref="LastEpoch"/>.
    /// </summary>
    public LeaderEpochEnd EndOffsetForEpoch(int epoch)
    {
        if (_epochs.Entries.Count == 0) return new LeaderEpochEnd(LastEpoch, EndOffset);
        if (epoch < _epochs.Entries[0].Epoch) return new LeaderEpochEnd(epoch, _epochs.Entries[0].StartOffset);
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
    /// Appends the batches of a fetch response that follow on from the log end, are intact (CRC-32C and
    /// framing, as Kafka's <c>appendAsFollower</c> checks) and carry an epoch between the log's last and
    /// <paramref name="leaderEpoch"/>. Stops at the first batch that does not, and at a partial last batch
    /// (a fetch may be cut at its byte limit). Returns how many batches it appended.
    /// </summary>
    public int AppendAsFollower(ReadOnlyMemory<byte> records, int leaderEpoch, Effects effects)
    {
        var walker = new RecordBatchWalker(records);
        RecordBatchRules rules = RecordBatchRules.ForStored(RaftLimits.BatchSizeBytesMax);
        long nextOffset = EndOffset;
        int lastEpoch = LastEpoch;
        int accepted = 0;
        int acceptedBytes = 0;
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchHeader header = batch.Header;
            bool fits = header.BaseOffset == nextOffset && header.PartitionLeaderEpoch >= Math.Max(lastEpoch, 0)
                && header.PartitionLeaderEpoch <= leaderEpoch && RecordBatchValidator.ValidateBatch(batch, rules) == RecordBatchError.None;
            if (!fits) break;
            _epochs.Assign(header.PartitionLeaderEpoch, header.BaseOffset);
            lastEpoch = header.PartitionLeaderEpoch;
            nextOffset = header.NextOffset;
            acceptedBytes = batch.PositionBytes + batch.Memory.Length;
            accepted++;
        }
        if (accepted == 0) return 0;
        effects.Add(new NodeEffect.AppendToLog(Partition, EndOffset, records[..acceptedBytes]));
        effects.Add(new NodeEffect.FlushLog(Partition));
        EndOffset = nextOffset;
        return accepted;
    }

    /// <summary>
    /// Removes everything from <paramref name="endOffset"/> on. Storage truncates at batch boundaries, so a
    /// point inside a batch takes the whole batch; returns where the log now ends.
    /// </summary>
    public long TruncateTo(long endOffset, Effects effects)
    {
        if (endOffset >= EndOffset) return EndOffset;
        long boundary = BatchStartAtOrBelow(endOffset);
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

    private long BatchStartAtOrBelow(long offset)
    {
        ReadOnlyMemory<byte> holding = storage.Read(Partition, offset, long.MaxValue, 1);
        return RecordBatchHeader.TryRead(holding.Span, out RecordBatchHeader header) && header.BaseOffset < offset
            ? header.BaseOffset
            : offset;
    }
}
