using Reference.Core.Log;
using Reference.Protocol.Records;

namespace Reference.Simulation.Storage;

/// <summary>One log's batches in memory, grouped in segments the way a disk log rolls them.</summary>
internal sealed class MemoryLog
{
    private sealed record StoredBatch(long BaseOffset, long NextOffset, int Epoch, long MaxTimestampMs, byte[] Bytes);

    private sealed class Segment(long baseOffset, long createdAtMs)
    {
        public long BaseOffset { get; } = baseOffset;
        public long CreatedAtMs { get; } = createdAtMs;
        public List<StoredBatch> Batches { get; } = [];
        public long SizeBytes => Batches.Sum(b => (long)b.Bytes.Length);
    }

    private readonly List<Segment> _segments = [];
    private long _startOffset;
    private long _endOffset;

    public long DurableEndOffset { get; private set; }

    public LogExtent Extent => new(_startOffset, _endOffset, DurableEndOffset);

    public bool Append(long baseOffset, ReadOnlyMemory<byte> batches, long nowMs, long segmentBytes)
    {
        if (baseOffset != _endOffset) return false;
        var walker = new RecordBatchWalker(batches);
        while (walker.TryNext(out RecordBatchView view))
        {
            RecordBatchHeader header = view.Header;
            if (header.BaseOffset != _endOffset) return false;
            if (_segments.Count == 0 || _segments[^1].SizeBytes + view.Memory.Length > segmentBytes && _segments[^1].Batches.Count > 0)
                _segments.Add(new Segment(header.BaseOffset, nowMs));
            _segments[^1].Batches.Add(new StoredBatch(header.BaseOffset, header.NextOffset, header.PartitionLeaderEpoch,
                header.MaxTimestamp, view.Memory.ToArray()));
            _endOffset = header.NextOffset;
        }
        return walker.Stop == RecordBatchError.None;
    }

    public long Flush() => DurableEndOffset = _endOffset;

    /// <summary>
    /// Removes every batch that holds an offset at or past <paramref name="endOffset"/>: like Kafka, at batch
    /// boundaries, so a batch is never cut in half.
    /// </summary>
    public void Truncate(long endOffset)
    {
        foreach (Segment segment in _segments) segment.Batches.RemoveAll(b => b.NextOffset > endOffset);
        _segments.RemoveAll(s => s.Batches.Count == 0);
        _endOffset = _segments.Count == 0 ? _startOffset : _segments[^1].Batches[^1].NextOffset;
        DurableEndOffset = Math.Min(DurableEndOffset, _endOffset);
    }

    public void AdvanceStart(long newStartOffset)
    {
        if (newStartOffset <= _startOffset) return;
        _startOffset = Math.Min(newStartOffset, _endOffset);
        // Whole segments that end at or below the new start go; a segment holding it stays.
        while (_segments.Count > 1 && _segments[1].BaseOffset <= _startOffset) _segments.RemoveAt(0);
    }

    public ReadOnlyMemory<byte> Read(long fromOffset, long endOffsetExclusive, int maxBytes)
    {
        var selected = new List<byte[]>();
        int total = 0;
        foreach (StoredBatch batch in _segments.SelectMany(s => s.Batches))
        {
            if (batch.NextOffset <= fromOffset || batch.NextOffset <= _startOffset) continue;
            if (batch.NextOffset > endOffsetExclusive) break;
            if (selected.Count > 0 && total + batch.Bytes.Length > maxBytes) break;
            selected.Add(batch.Bytes);
            total += batch.Bytes.Length;
        }
        if (selected.Count == 1) return selected[0];
        var result = new byte[total];
        int position = 0;
        foreach (byte[] bytes in selected)
        {
            bytes.CopyTo(result, position);
            position += bytes.Length;
        }
        return result;
    }

    public IReadOnlyList<LogSegmentInfo> Segments() => _segments
        .Select((s, i) => new LogSegmentInfo(s.BaseOffset,
            i + 1 < _segments.Count ? _segments[i + 1].BaseOffset : _endOffset,
            s.SizeBytes, s.Batches.Count == 0 ? -1 : s.Batches.Max(b => b.MaxTimestampMs), s.CreatedAtMs))
        .ToList();

    public long? OffsetForTimestamp(long timestampMs) =>
        _segments.SelectMany(s => s.Batches).FirstOrDefault(b => b.MaxTimestampMs >= timestampMs && b.NextOffset > _startOffset) is { } batch
            ? Math.Max(batch.BaseOffset, _startOffset) : null;

    public IReadOnlyList<EpochStartOffset> LeaderEpochs()
    {
        var epochs = new List<EpochStartOffset>();
        foreach (StoredBatch batch in _segments.SelectMany(s => s.Batches))
            if (epochs.Count == 0 || epochs[^1].Epoch < batch.Epoch) epochs.Add(new EpochStartOffset(batch.Epoch, batch.BaseOffset));
        return epochs;
    }
}
