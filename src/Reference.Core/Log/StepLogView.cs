using Reference.Core.Node;
using Reference.Protocol.Records;

namespace Reference.Core.Log;

/// <summary>
/// The logs as the rooms must see them during a step: the shell's storage plus the storage effects this
/// step has emitted but the shell has not yet carried out (it does so only after the step). Without it a
/// fetch answered in the same step as the produce that woke it would miss the produced batches. The node
/// records every storage effect here as it is emitted and clears the overlay when the next step begins,
/// by which time the shell has carried them out.
/// </summary>
public sealed class StepLogView(ILogStorage storage) : ILogStorage
{
    private sealed class PendingLog
    {
        public bool Deleted;
        public long? TruncatedTo;
        public long? StartOffset;
        public long? BaseEndOffset;
        /// <summary>Set by a TruncateFullyAndStartAt this step: nothing stored before it is visible.</summary>
        public long? ResetTo;
        public List<(long BaseOffset, long NextOffset, int Epoch, ReadOnlyMemory<byte> Bytes)> Appends { get; } = [];
    }

    private readonly SortedDictionary<TopicPartition, PendingLog> _pending = new();
    private readonly List<NodeEffect> _snapshotChanges = [];

    /// <summary>The storage's identity; no effect changes it (a re-format is a new storage).</summary>
    public Protocol.Primitives.Uuid DirectoryId => storage.DirectoryId;

    /// <summary>Forgets the overlay: the shell has carried out the previous step's effects.</summary>
    public void BeginStep()
    {
        _pending.Clear();
        _snapshotChanges.Clear();
    }

    /// <summary>Records a storage effect the step has emitted; other effects are ignored.</summary>
    public void Record(NodeEffect effect)
    {
        switch (effect)
        {
            case NodeEffect.AppendToLog append:
                PendingLog log = PendingFor(append.Log);
                log.BaseEndOffset ??= append.BaseOffset;
                var walker = new RecordBatchWalker(append.Batches);
                while (walker.TryNext(out RecordBatchView view))
                    log.Appends.Add((view.Header.BaseOffset, view.Header.NextOffset, view.Header.PartitionLeaderEpoch, view.Memory));
                break;
            case NodeEffect.TruncateLog truncate:
                PendingLog truncated = PendingFor(truncate.Log);
                truncated.Appends.RemoveAll(a => a.NextOffset > truncate.EndOffset);
                if (truncated.Appends.Count == 0)
                {
                    truncated.TruncatedTo = Math.Min(truncated.TruncatedTo ?? long.MaxValue, truncate.EndOffset);
                    truncated.BaseEndOffset = null;
                }
                break;
            case NodeEffect.AdvanceLogStart advance:
                PendingLog advanced = PendingFor(advance.Log);
                advanced.StartOffset = Math.Max(advanced.StartOffset ?? 0, advance.NewStartOffset);
                break;
            case NodeEffect.DeleteLog delete:
                _pending[delete.Log] = new PendingLog { Deleted = true };
                break;
            case NodeEffect.TruncateFullyAndStartAt reset:
                _pending[reset.Log] = new PendingLog { ResetTo = reset.NewStartOffset };
                break;
            case NodeEffect.WriteSnapshot or NodeEffect.DeleteSnapshot:
                _snapshotChanges.Add(effect);
                break;
        }
    }

    private PendingLog PendingFor(TopicPartition log)
    {
        if (!_pending.TryGetValue(log, out PendingLog? pending))
        {
            pending = new PendingLog();
            _pending[log] = pending;
        }
        else if (pending.Deleted)
        {
            pending.Deleted = false;
            pending.TruncatedTo = 0;
        }
        return pending;
    }

    public IReadOnlyList<TopicPartition> Logs =>
        storage.Logs.Where(l => !(_pending.TryGetValue(l, out PendingLog? p) && p.Deleted))
            .Concat(_pending.Where(p => !p.Value.Deleted && p.Value.Appends.Count > 0).Select(p => p.Key))
            .Distinct().Order().ToList();

    public LogExtent Extent(TopicPartition log)
    {
        LogExtent stored = storage.Extent(log);
        if (!_pending.TryGetValue(log, out PendingLog? pending)) return stored;
        if (pending.Deleted) return default;
        if (pending.ResetTo is long reset)
        {
            long resetEnd = pending.Appends.Count > 0 ? pending.Appends[^1].NextOffset : reset;
            return new LogExtent(reset, resetEnd, reset);
        }
        long end = pending.Appends.Count > 0 ? pending.Appends[^1].NextOffset : Math.Min(stored.EndOffset, pending.TruncatedTo ?? long.MaxValue);
        long start = Math.Max(stored.StartOffset, pending.StartOffset ?? 0);
        long durable = Math.Min(stored.DurableEndOffset, pending.TruncatedTo ?? long.MaxValue);
        return new LogExtent(Math.Min(start, end), end, Math.Min(durable, end));
    }

    public ReadOnlyMemory<byte> Read(TopicPartition log, long fromOffset, long endOffsetExclusive, int maxBytes)
    {
        if (!_pending.TryGetValue(log, out PendingLog? pending)) return storage.Read(log, fromOffset, endOffsetExclusive, maxBytes);
        if (pending.Deleted) return ReadOnlyMemory<byte>.Empty;
        long storedEnd = pending.ResetTo is not null ? 0 : Math.Min(storage.Extent(log).EndOffset, pending.TruncatedTo ?? long.MaxValue);
        long from = Math.Max(fromOffset, pending.StartOffset ?? 0);
        ReadOnlyMemory<byte> stored = from < storedEnd
            ? storage.Read(log, from, Math.Min(endOffsetExclusive, storedEnd), maxBytes)
            : ReadOnlyMemory<byte>.Empty;
        var parts = new List<ReadOnlyMemory<byte>>();
        if (!stored.IsEmpty) parts.Add(stored);
        int total = stored.Length;
        foreach (var append in pending.Appends)
        {
            if (append.NextOffset <= from || append.NextOffset > endOffsetExclusive) continue;
            if (parts.Count > 0 && total + append.Bytes.Length > maxBytes) break;
            parts.Add(append.Bytes);
            total += append.Bytes.Length;
        }
        return Concatenate(parts, total);
    }

    private static ReadOnlyMemory<byte> Concatenate(List<ReadOnlyMemory<byte>> parts, int total)
    {
        if (parts.Count == 0) return ReadOnlyMemory<byte>.Empty;
        if (parts.Count == 1) return parts[0];
        var joined = new byte[total];
        int position = 0;
        foreach (ReadOnlyMemory<byte> part in parts)
        {
            part.Span.CopyTo(joined.AsSpan(position));
            position += part.Length;
        }
        return joined;
    }

    public IReadOnlyList<LogSegmentInfo> Segments(TopicPartition log) =>
        _pending.TryGetValue(log, out PendingLog? pending) && pending.Deleted ? [] : storage.Segments(log);

    public long? OffsetForTimestamp(TopicPartition log, long timestampMs)
    {
        if (_pending.TryGetValue(log, out PendingLog? pending) && pending.Deleted) return null;
        return storage.OffsetForTimestamp(log, timestampMs);
    }

    public IReadOnlyList<EpochStartOffset> LeaderEpochs(TopicPartition log)
    {
        if (!_pending.TryGetValue(log, out PendingLog? pending)) return storage.LeaderEpochs(log);
        if (pending.Deleted) return [];
        long cut = pending.ResetTo is not null ? long.MinValue : pending.TruncatedTo ?? long.MaxValue;
        var epochs = storage.LeaderEpochs(log).Where(e => e.StartOffset < cut).ToList();
        foreach (var append in pending.Appends)
            if (epochs.Count == 0 || epochs[^1].Epoch < append.Epoch) epochs.Add(new EpochStartOffset(append.Epoch, append.BaseOffset));
        return epochs;
    }

    /// <summary>Storage's snapshots with this step's writes (not yet durable) and deletions applied.</summary>
    public IReadOnlyList<SnapshotInfo> Snapshots(TopicPartition log)
    {
        var snapshots = storage.Snapshots(log).ToList();
        foreach (NodeEffect change in _snapshotChanges)
        {
            switch (change)
            {
                case NodeEffect.WriteSnapshot write when write.Log == log && !snapshots.Any(s => s.Id == write.SnapshotId):
                    snapshots.Add(new SnapshotInfo(write.SnapshotId, write.Bytes.Length, IsDurable: false));
                    break;
                case NodeEffect.DeleteSnapshot delete when delete.Log == log:
                    snapshots.RemoveAll(s => s.Id == delete.SnapshotId);
                    break;
            }
        }
        return snapshots.OrderBy(s => s.Id.Offset).ThenBy(s => s.Id.Epoch).ToList();
    }

    public ReadOnlyMemory<byte> ReadSnapshot(TopicPartition log, Raft.OffsetAndEpoch snapshotId, long position, int maxBytes)
    {
        if (!Snapshots(log).Any(s => s.Id == snapshotId)) return ReadOnlyMemory<byte>.Empty;
        NodeEffect.WriteSnapshot? written = _snapshotChanges.OfType<NodeEffect.WriteSnapshot>().FirstOrDefault(w => w.Log == log && w.SnapshotId == snapshotId);
        if (written is null || storage.Snapshots(log).Any(s => s.Id == snapshotId)) return storage.ReadSnapshot(log, snapshotId, position, maxBytes);
        if (position < 0 || position >= written.Bytes.Length) return ReadOnlyMemory<byte>.Empty;
        return written.Bytes.Slice((int)position, (int)Math.Min(maxBytes, written.Bytes.Length - position));
    }
}
