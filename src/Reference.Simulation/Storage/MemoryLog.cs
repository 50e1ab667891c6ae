using System.Buffers.Binary;
using Reference.Core.Log;
using Reference.Protocol.Records;

namespace Reference.Simulation.Storage;

/// <summary>
/// One log's batches in memory, grouped in segments the way a disk log rolls them. Besides the reads and
/// writes a node needs, it carries the disk faults the simulator injects: a crash that keeps only the
/// durable prefix (or tears the first unflushed bytes), a flipped byte in a durable batch, and the recovery
/// a broker runs on restart, which cuts the log at the first batch that fails its checks.
/// </summary>
internal sealed class MemoryLog
{
    /// <param name="Bytes">What the disk holds of the batch: all of it, or only a prefix after a torn write.</param>
    private sealed record StoredBatch(long BaseOffset, long NextOffset, int Epoch, long MaxTimestampMs, byte[] Bytes);

    private sealed class Segment(long baseOffset, long createdAtMs)
    {
        public long BaseOffset { get; } = baseOffset;
        public long CreatedAtMs { get; } = createdAtMs;
        public List<StoredBatch> Batches { get; } = [];

        /// <summary>Kept as batches come and go, so an append never sums the whole segment.</summary>
        public long SizeBytes { get; private set; }

        public void Add(StoredBatch batch)
        {
            Batches.Add(batch);
            SizeBytes += batch.Bytes.Length;
        }

        public void RemoveFrom(int index)
        {
            for (int i = index; i < Batches.Count; i++) SizeBytes -= Batches[i].Bytes.Length;
            Batches.RemoveRange(index, Batches.Count - index);
        }

        public void Replace(int index, StoredBatch batch)
        {
            SizeBytes += batch.Bytes.Length - Batches[index].Bytes.Length;
            Batches[index] = batch;
        }
    }

    /// <summary>Stored batches are never larger than this; the CRC check on read and recovery accepts any size below it.</summary>
    private const int StoredBatchSizeBytesMax = int.MaxValue;

    private readonly List<Segment> _segments = [];
    private long _startOffset;
    private long _endOffset;

    public long DurableEndOffset { get; private set; }

    public LogExtent Extent => new(_startOffset, _endOffset, DurableEndOffset);

    /// <summary>
    /// Appends batches at the log's end. Refuses (false) a gap, a batch that does not frame, and a batch whose
    /// CRC does not match: the core validates before it writes, so a bad batch here is a node's bug, and
    /// taking it would later look like disk corruption.
    /// </summary>
    public bool Append(long baseOffset, ReadOnlyMemory<byte> batches, long nowMs, long segmentBytes)
    {
        if (baseOffset != _endOffset) return false;
        var walker = new RecordBatchWalker(batches);
        while (walker.TryNext(out RecordBatchView view))
        {
            RecordBatchHeader header = view.Header;
            if (header.BaseOffset != _endOffset) return false;
            if (RecordBatchValidator.ValidateBatch(view, RecordBatchRules.ForStored(StoredBatchSizeBytesMax)) != RecordBatchError.None) return false;
            if (_segments.Count == 0 || _segments[^1].SizeBytes + view.Memory.Length > segmentBytes && _segments[^1].Batches.Count > 0)
                _segments.Add(new Segment(header.BaseOffset, nowMs));
            _segments[^1].Add(new StoredBatch(header.BaseOffset, header.NextOffset, header.PartitionLeaderEpoch,
                header.MaxTimestamp, view.Memory.ToArray()));
            _endOffset = header.NextOffset;
        }
        return walker.Stop == RecordBatchError.None;
    }

    public long Flush() => DurableEndOffset = _endOffset;

    /// <summary>
    /// Makes the log durable up to <paramref name="upToOffset"/> (the end it had when the flush was asked for),
    /// rounded down to a batch boundary, never lowering what is already durable. Returns the durable end.
    /// </summary>
    public long FlushTo(long upToOffset)
    {
        long target = Math.Min(upToOffset, _endOffset);
        long boundary = DurableEndOffset;
        foreach (StoredBatch batch in BatchesFrom(DurableEndOffset))
        {
            if (batch.NextOffset > target) break;
            boundary = batch.NextOffset;
        }
        DurableEndOffset = Math.Max(DurableEndOffset, boundary);
        if (DurableEndOffset > _endOffset) throw new InvalidOperationException($"durable end {DurableEndOffset} past the log end {_endOffset}");
        return DurableEndOffset;
    }

    /// <summary>
    /// Removes every batch that holds an offset at or past <paramref name="endOffset"/>: like Kafka, at batch
    /// boundaries, so a batch is never cut in half.
    /// </summary>
    public void Truncate(long endOffset)
    {
        foreach (Segment segment in _segments)
        {
            int firstRemoved = segment.Batches.FindIndex(b => b.NextOffset > endOffset);
            if (firstRemoved >= 0) segment.RemoveFrom(firstRemoved);
        }
        _segments.RemoveAll(s => s.Batches.Count == 0);
        _endOffset = _segments.Count == 0 ? _startOffset : _segments[^1].Batches[^1].NextOffset;
        DurableEndOffset = Math.Min(DurableEndOffset, _endOffset);
    }

    /// <summary>Kafka's <c>truncateFullyAndStartAt</c>: every batch goes and the log starts, empty, at <paramref name="offset"/>.</summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        _segments.Clear();
        _startOffset = offset;
        _endOffset = offset;
        DurableEndOffset = offset;
    }

    public void AdvanceStart(long newStartOffset)
    {
        if (newStartOffset <= _startOffset) return;
        _startOffset = Math.Min(newStartOffset, _endOffset);
        // Whole segments that end at or below the new start go; a segment holding it stays.
        while (_segments.Count > 1 && _segments[1].BaseOffset <= _startOffset) _segments.RemoveAt(0);
    }

    /// <summary>
    /// Whole batches from the one holding <paramref name="fromOffset"/>, each checked against its CRC before it
    /// is handed out: a batch that fails is never served (<see cref="LogCorruptionException"/>).
    /// </summary>
    public ReadOnlyMemory<byte> Read(Core.TopicPartition log, long fromOffset, long endOffsetExclusive, int maxBytes)
    {
        var selected = new List<StoredBatch>();
        int total = 0;
        foreach (StoredBatch batch in BatchesFrom(Math.Max(fromOffset, _startOffset)))
        {
            if (batch.NextOffset > endOffsetExclusive) break;
            if (selected.Count > 0 && total + batch.Bytes.Length > maxBytes) break;
            selected.Add(batch);
            total += batch.Bytes.Length;
        }
        foreach (StoredBatch batch in selected)
        {
            RecordBatchError check = Check(batch.Bytes, batch.BaseOffset);
            if (check != RecordBatchError.None) throw new LogCorruptionException(log, batch.BaseOffset, check);
        }
        if (selected.Count == 1) return selected[0].Bytes;
        var result = new byte[total];
        int position = 0;
        foreach (StoredBatch batch in selected)
        {
            batch.Bytes.CopyTo(result, position);
            position += batch.Bytes.Length;
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
        // Loops, not SelectMany: the explorer's coverage reads every node's epochs at every step.
        var epochs = new List<EpochStartOffset>();
        foreach (Segment segment in _segments)
            foreach (StoredBatch batch in segment.Batches)
                if (epochs.Count == 0 || epochs[^1].Epoch < batch.Epoch) epochs.Add(new EpochStartOffset(batch.Epoch, batch.BaseOffset));
        return epochs;
    }

    /// <summary>Bytes written but not yet durable: what a crash may lose or tear.</summary>
    public int UnflushedBytes => BatchesFrom(DurableEndOffset).Sum(b => b.Bytes.Length);

    /// <summary>The durable batches as (base offset, size), oldest first: where a sector can rot.</summary>
    public IReadOnlyList<(long BaseOffset, int SizeBytes)> DurableBatches() => _segments.SelectMany(s => s.Batches)
        .Where(b => b.NextOffset <= DurableEndOffset && b.NextOffset > _startOffset)
        .Select(b => (b.BaseOffset, b.Bytes.Length)).ToList();

    /// <summary>
    /// A power cut. The durable prefix survives; of the unflushed tail, the first
    /// <paramref name="keptUnflushedBytes"/> bytes reached the platter before the power went (a torn write when
    /// the cut falls inside a batch). The disk is left as the cut left it; <see cref="Recover"/> cleans it up.
    /// </summary>
    public void Crash(int keptUnflushedBytes)
    {
        if (keptUnflushedBytes < 0) throw new ArgumentOutOfRangeException(nameof(keptUnflushedBytes));
        int remaining = keptUnflushedBytes;
        bool cut = false;
        foreach (Segment segment in _segments)
        {
            if (cut)
            {
                segment.RemoveFrom(0);
                continue;
            }
            for (int i = 0; i < segment.Batches.Count; i++)
            {
                StoredBatch batch = segment.Batches[i];
                if (batch.NextOffset <= DurableEndOffset) continue;
                if (remaining >= batch.Bytes.Length)
                {
                    remaining -= batch.Bytes.Length;
                    continue;
                }
                if (remaining > 0) segment.Replace(i++, batch with { Bytes = batch.Bytes[..remaining] });
                segment.RemoveFrom(i);
                cut = true;
                break;
            }
        }
        _segments.RemoveAll(s => s.Batches.Count == 0);
        _endOffset = _segments.Count == 0 ? _startOffset : _segments[^1].Batches[^1].NextOffset;
        // What is on the platter now is durable, torn or not; recovery decides what of it is valid.
        DurableEndOffset = _endOffset;
    }

    /// <summary>
    /// The broker's log recovery on restart (Kafka's LogLoader and LogSegment.recover): walk the batches in
    /// order and cut the log at the first one that is incomplete, fails its CRC or does not continue the
    /// offsets. Returns where it cut and why, or null when the whole log is valid.
    /// </summary>
    public RecoveryCut? Recover(Core.TopicPartition log)
    {
        long expectedBase = -1;
        foreach (StoredBatch batch in _segments.SelectMany(s => s.Batches))
        {
            RecordBatchError check = Check(batch.Bytes, batch.BaseOffset);
            if (check == RecordBatchError.None && expectedBase >= 0 && batch.BaseOffset != expectedBase) check = RecordBatchError.InvalidOffsetDelta;
            if (check != RecordBatchError.None)
            {
                // Every batch holds its base offset, so this drops the bad batch, torn or not, and all after it.
                Truncate(batch.BaseOffset);
                DurableEndOffset = _endOffset;
                return new RecoveryCut(log, batch.BaseOffset, check);
            }
            expectedBase = batch.NextOffset;
        }
        DurableEndOffset = _endOffset;
        return null;
    }

    /// <summary>
    /// Flips bits of one byte of a durable batch, as a rotting sector would. Only bytes the CRC covers, or the
    /// CRC itself, are touched: in RecordBatch v2 the base offset, length, leader epoch and magic lie before
    /// the CRC, so a flip there would go unnoticed by Kafka too. The batch's array is replaced, not changed,
    /// because a node may still hold bytes it read earlier, and those were read before the rot.
    /// </summary>
    public bool Corrupt(long batchBaseOffset, int byteIndex, byte xorMask)
    {
        if (xorMask == 0) throw new ArgumentOutOfRangeException(nameof(xorMask), "a flip must change a bit");
        foreach (Segment segment in _segments)
        {
            int index = segment.Batches.FindIndex(b => b.BaseOffset == batchBaseOffset);
            if (index < 0) continue;
            StoredBatch batch = segment.Batches[index];
            if (batch.NextOffset > DurableEndOffset || byteIndex < RecordBatchLayout.CrcAt || byteIndex >= batch.Bytes.Length) return false;
            byte[] rotten = (byte[])batch.Bytes.Clone();
            rotten[byteIndex] ^= xorMask;
            segment.Replace(index, batch with { Bytes = rotten });
            return true;
        }
        return false;
    }

    /// <summary>Framing, length and CRC-32C of one stored batch: what recovery and reads rely on.</summary>
    private static RecordBatchError Check(byte[] bytes, long expectedBaseOffset)
    {
        var walker = new RecordBatchWalker(bytes);
        if (!walker.TryNext(out RecordBatchView view)) return walker.Stop == RecordBatchError.None ? RecordBatchError.Truncated : walker.Stop;
        if (view.Memory.Length != bytes.Length) return RecordBatchError.Truncated;
        if (BinaryPrimitives.ReadInt64BigEndian(bytes) != expectedBaseOffset) return RecordBatchError.InvalidOffsetDelta;
        return RecordBatchValidator.ValidateBatch(view, RecordBatchRules.ForStored(StoredBatchSizeBytesMax));
    }

    /// <summary>The batches whose last offset is at or past <paramref name="offset"/>, in order, found by binary search.</summary>
    private IEnumerable<StoredBatch> BatchesFrom(long offset)
    {
        int segmentIndex = _segments.FindLastIndex(s => s.BaseOffset <= offset);
        if (segmentIndex < 0) segmentIndex = 0;
        for (int s = segmentIndex; s < _segments.Count; s++)
        {
            List<StoredBatch> batches = _segments[s].Batches;
            int i = s == segmentIndex ? FirstEndingAfter(batches, offset) : 0;
            for (; i < batches.Count; i++) yield return batches[i];
        }
    }

    private static int FirstEndingAfter(List<StoredBatch> batches, long offset)
    {
        int low = 0, high = batches.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (batches[middle].NextOffset <= offset) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
