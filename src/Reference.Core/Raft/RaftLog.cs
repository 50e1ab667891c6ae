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
    private List<OffsetAndEpoch> _snapshots = [];
    private readonly List<OffsetAndEpoch> _snapshotsAwaitingFlush = [];

    public long StartOffset { get; private set; }

    /// <summary>One past the last offset written, durable or not.</summary>
    public long EndOffset { get; private set; }

    /// <summary>One past the last offset known to be on stable storage; never above <see cref="EndOffset"/>.</summary>
    public long DurableEndOffset { get; private set; }

    /// <summary>
    /// The epoch of the last batch in the log; for a log that holds no batch, the epoch of the latest snapshot
    /// (Kafka's <c>lastFetchedEpoch</c> after a snapshot was installed), else 0. It goes out as a Vote's
    /// LastOffsetEpoch and a Fetch's LastFetchedEpoch. A Kafka leader refuses a fetch whose LastFetchedEpoch is
    /// negative (INVALID_REQUEST), so an empty log must not say -1 (found by the golden transcripts: our empty
    /// followers sent -1). No leader writes in epoch 0, so 0 orders an empty log below every written one, as
    /// Raft §5.4.1's comparison needs.
    /// </summary>
    public int LastEpoch => _epochs.LatestEpoch ?? LatestSnapshot?.Epoch ?? 0;

    /// <summary>The durable snapshots that were found intact or written by this replica, by end offset ascending (KIP-630).</summary>
    public IReadOnlyList<OffsetAndEpoch> Snapshots => _snapshots;

    public OffsetAndEpoch? LatestSnapshot => _snapshots.Count > 0 ? _snapshots[^1] : null;

    public OffsetAndEpoch? EarliestSnapshot => _snapshots.Count > 0 ? _snapshots[0] : null;

    /// <summary>Snapshots written (<see cref="NodeEffect.WriteSnapshot"/>) that no flush has made durable yet.</summary>
    public IReadOnlyList<OffsetAndEpoch> SnapshotsAwaitingFlush => _snapshotsAwaitingFlush;

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
        // Only durable snapshots that read back intact count: a torn or rotted one is never served or loaded.
        _snapshots = storage.Snapshots(Partition)
            .Where(snapshot => snapshot.IsDurable && IsIntact(snapshot))
            .Select(snapshot => snapshot.Id)
            .OrderBy(id => id.Offset).ThenBy(id => id.Epoch)
            .ToList();
        _snapshotsAwaitingFlush.Clear();
    }

    private bool IsIntact(SnapshotInfo snapshot) =>
        snapshot.SizeBytes <= SnapshotFormat.SnapshotBytesMax
        && SnapshotFormat.Read(storage.ReadSnapshot(Partition, snapshot.Id, 0, (int)snapshot.SizeBytes)).IsValid;

    /// <summary>
    /// After <see cref="Load"/>: makes the log and its snapshots agree as Kafka's <c>KafkaMetadataLog</c> does on
    /// open. A log that ends before the latest snapshot (the snapshot was durable, the log's tail was not) starts
    /// afresh at it; a log start below the earliest snapshot moves up to it; snapshots below the log start go.
    /// Returns false when the log start has no snapshot at it: the state below it is then lost.
    /// </summary>
    public bool AlignWithSnapshots(Effects effects)
    {
        if (LatestSnapshot is { } latest && latest.Offset > EndOffset) TruncateFullyAndStartAt(latest.Offset, effects);
        if (EarliestSnapshot is { } earliest && earliest.Offset > StartOffset) AdvanceStartTo(Math.Min(earliest.Offset, EndOffset), effects);
        foreach (OffsetAndEpoch stale in _snapshots.Where(id => id.Offset < StartOffset).ToList()) DeleteSnapshot(stale, effects);
        return StartOffset == 0 || EarliestSnapshot?.Offset == StartOffset;
    }

    /// <summary>Stores a snapshot; it counts once a flush of the log makes it durable (<see cref="OnFlushed"/>).</summary>
    public void WriteSnapshot(OffsetAndEpoch snapshotId, ReadOnlyMemory<byte> bytes, Effects effects)
    {
        if (_snapshots.Contains(snapshotId) || _snapshotsAwaitingFlush.Contains(snapshotId)) return;
        effects.Add(new NodeEffect.WriteSnapshot(Partition, snapshotId, bytes));
        effects.Add(new NodeEffect.FlushLog(Partition));
        _snapshotsAwaitingFlush.Add(snapshotId);
    }

    /// <summary>Moves the log start up to <paramref name="startOffset"/>: the batches below it may go (KIP-630, once a snapshot covers them).</summary>
    public void AdvanceStartTo(long startOffset, Effects effects)
    {
        if (startOffset <= StartOffset) return;
        if (startOffset > EndOffset) throw new InvalidOperationException($"the log start cannot pass the log end {EndOffset}: {startOffset}");
        effects.Add(new NodeEffect.AdvanceLogStart(Partition, startOffset));
        StartOffset = startOffset;
    }

    public void DeleteSnapshot(OffsetAndEpoch snapshotId, Effects effects)
    {
        if (!_snapshots.Remove(snapshotId)) return;
        effects.Add(new NodeEffect.DeleteSnapshot(Partition, snapshotId));
    }

    /// <summary>Kafka's <c>truncateFullyAndStartAt</c>: the log holds nothing and starts (and ends) at <paramref name="offset"/>.</summary>
    public void TruncateFullyAndStartAt(long offset, Effects effects)
    {
        effects.Add(new NodeEffect.TruncateFullyAndStartAt(Partition, offset));
        StartOffset = EndOffset = DurableEndOffset = offset;
        _epochs = new LeaderEpochCache([]);
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
        if (epoch < _epochs.Entries[0].Epoch)
        {
            // Kafka's leader-epoch cache: an epoch older than any the log holds ends where the first one starts,
            // tagged with the epoch asked about; KafkaMetadataLog then names the snapshot at the log start instead.
            long firstStart = _epochs.Entries[0].StartOffset;
            if (EarliestSnapshot is { } snapshot && snapshot.Offset == firstStart) return new LeaderEpochEnd(snapshot.Epoch, snapshot.Offset);
            return new LeaderEpochEnd(epoch, firstStart);
        }
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
        if (_snapshotsAwaitingFlush.Count == 0) return;
        var stored = storage.Snapshots(Partition);
        foreach (OffsetAndEpoch id in _snapshotsAwaitingFlush.ToList())
        {
            if (!stored.Any(snapshot => snapshot.Id == id && snapshot.IsDurable)) continue;
            _snapshotsAwaitingFlush.Remove(id);
            _snapshots.Add(id);
        }
        _snapshots = _snapshots.OrderBy(id => id.Offset).ThenBy(id => id.Epoch).ToList();
    }

    /// <summary>Whole batches from the one holding <paramref name="fromOffset"/> up to the log end.</summary>
    public ReadOnlyMemory<byte> Read(long fromOffset, int maxBytes) => storage.Read(Partition, fromOffset, EndOffset, maxBytes);

    public IReadOnlyList<LogSegmentInfo> Segments() => storage.Segments(Partition);

    /// <summary>A whole snapshot's bytes as stored; empty when this log holds no snapshot with that id.</summary>
    public ReadOnlyMemory<byte> ReadSnapshot(OffsetAndEpoch snapshotId) => ReadSnapshot(snapshotId, 0, SnapshotFormat.SnapshotBytesMax);

    public ReadOnlyMemory<byte> ReadSnapshot(OffsetAndEpoch snapshotId, long position, int maxBytes) =>
        _snapshots.Contains(snapshotId) ? storage.ReadSnapshot(Partition, snapshotId, position, maxBytes) : ReadOnlyMemory<byte>.Empty;

    /// <summary>The stored size of a snapshot this log holds.</summary>
    public long SnapshotSizeBytes(OffsetAndEpoch snapshotId) =>
        storage.Snapshots(Partition).FirstOrDefault(snapshot => snapshot.Id == snapshotId).SizeBytes;
}
