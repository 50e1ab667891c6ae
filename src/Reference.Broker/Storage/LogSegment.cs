using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Reference.Protocol.Records;

namespace Reference.Broker.Storage;

/// <summary>
/// One segment of a partition log: <c>&lt;base offset, 20 digits&gt;.log</c> holding whole record batches
/// back to back exactly as they arrived, with its <see cref="SegmentIndexes"/>. Writes go straight to the
/// file (pwrite, no user-space buffer), so reads see them at once; durability is <see cref="Flush"/>'s.
/// Used only on the event-loop thread, except <see cref="File"/> handed to the flusher for fsync.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    public const string LogSuffix = ".log";
    private const string OffsetIndexSuffix = ".index";
    private const string TimeIndexSuffix = ".timeindex";

    private readonly string _logPath;
    private readonly SegmentIndexes _indexes;

    private LogSegment(string directory, long baseOffset, long createdAtMs, int indexIntervalBytes)
    {
        BaseOffset = baseOffset;
        EndOffset = baseOffset;
        CreatedAtMs = createdAtMs;
        _logPath = PathFor(directory, baseOffset, LogSuffix);
        _indexes = new SegmentIndexes(PathFor(directory, baseOffset, OffsetIndexSuffix), PathFor(directory, baseOffset, TimeIndexSuffix), indexIntervalBytes);
        File = System.IO.File.OpenHandle(_logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
    }

    public long BaseOffset { get; }

    /// <summary>One past the last offset in this segment; <see cref="BaseOffset"/> while it is empty.</summary>
    public long EndOffset { get; private set; }

    public long SizeBytes { get; private set; }

    /// <summary>The largest batch max timestamp in the segment, -1 when it has none.</summary>
    public long MaxTimestampMs { get; private set; } = -1;

    /// <summary>When the segment was rolled, in the shell's clock (for <c>log.roll.ms</c>).</summary>
    public long CreatedAtMs { get; }

    /// <summary>True when the file changed since its last flush was captured.</summary>
    public bool IsDirty { get; set; }

    public SafeFileHandle File { get; }

    public static string PathFor(string directory, long baseOffset, string suffix) =>
        Path.Combine(directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture) + suffix);

    public static bool TryParseBaseOffset(string logFileName, out long baseOffset)
    {
        baseOffset = 0;
        return logFileName.Length == 20 + LogSuffix.Length && logFileName.EndsWith(LogSuffix, StringComparison.Ordinal)
            && long.TryParse(logFileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    public static LogSegment Create(string directory, long baseOffset, long createdAtMs, int indexIntervalBytes)
    {
        var segment = new LogSegment(directory, baseOffset, createdAtMs, indexIntervalBytes);
        RandomAccess.SetLength(segment.File, 0);
        segment._indexes.SyncFiles();
        segment.IsDirty = true;
        return segment;
    }

    /// <summary>
    /// Opens an existing segment and walks it: with <paramref name="verifyChecksums"/> (after an unclean stop)
    /// every batch's CRC and counts are checked. The segment keeps the batches before the first fault (torn,
    /// corrupt, or not following on from the previous one); the bytes from there are cut off.
    /// </summary>
    public static (LogSegment Segment, SegmentRecovery Recovery) Open(string directory, long baseOffset, long createdAtMs,
        int indexIntervalBytes, bool verifyChecksums, Action<RecordBatchHeader> onBatch)
    {
        var segment = new LogSegment(directory, baseOffset, createdAtMs, indexIntervalBytes);
        long fileBytes = RandomAccess.GetLength(segment.File);
        SegmentRecovery recovery = segment.Rebuild(fileBytes, verifyChecksums, onBatch);
        if (recovery.CutBytes > 0)
        {
            RandomAccess.SetLength(segment.File, recovery.ValidBytes);
            segment.IsDirty = true;
        }
        segment._indexes.SyncFiles();
        return (segment, recovery);
    }

    /// <summary>Appends whole batches that start at <see cref="EndOffset"/> and follow one another (the caller checked).</summary>
    public void Append(ReadOnlyMemory<byte> batches)
    {
        long position = SizeBytes;
        RandomAccess.Write(File, batches.Span, position);
        var walker = new RecordBatchWalker(batches);
        while (walker.TryNext(out RecordBatchView batch)) Account(position + batch.PositionBytes, batch.Header);
        Debug.Assert(walker.IsComplete, "the caller hands over whole batches only");
        IsDirty = true;
    }

    /// <summary>The first batch whose last offset is at or past <paramref name="offset"/>, found from the offset index.</summary>
    public (long PositionBytes, RecordBatchHeader Header)? FindBatch(long offset)
    {
        if (offset >= EndOffset) return null;
        long from = _indexes.FloorPosition(RelativeOffset(Math.Max(offset, BaseOffset)));
        (long, RecordBatchHeader)? found = null;
        Walk(from, (long position, in RecordBatchView batch) =>
        {
            if (batch.Header.NextOffset <= offset) return true;
            found = (position, batch.Header);
            return false;
        });
        return found;
    }

    /// <summary>
    /// The base offset of the first batch with a max timestamp at or after <paramref name="timestampMs"/> and
    /// an offset at or past <paramref name="logStartOffset"/>, starting where the time index allows.
    /// </summary>
    public long? FindTimestamp(long timestampMs, long logStartOffset)
    {
        if (MaxTimestampMs < timestampMs) return null;
        int? olderThrough = _indexes.LastRelativeOffsetOlderThan(timestampMs);
        long from = olderThrough is int relative ? _indexes.FloorPosition(relative) : 0;
        long? found = null;
        Walk(from, (long _, in RecordBatchView batch) =>
        {
            if (batch.Header.MaxTimestamp < timestampMs || batch.Header.NextOffset <= logStartOffset) return true;
            found = batch.Header.BaseOffset;
            return false;
        });
        return found;
    }

    /// <summary>Reads up to <paramref name="destination"/>'s length from <paramref name="positionBytes"/>; returns the bytes read.</summary>
    public int Read(long positionBytes, Span<byte> destination) => SegmentWalker.ReadFully(File, destination, positionBytes);

    /// <summary>
    /// Removes every batch that holds an offset at or past <paramref name="endOffset"/>, at a batch boundary
    /// (Kafka's truncateTo), and rebuilds the indexes from what remains. Returns false when nothing remains.
    /// </summary>
    public bool TruncateTo(long endOffset)
    {
        if (endOffset >= EndOffset) return SizeBytes > 0;
        // The first batch that reaches endOffset goes whole, with everything after it, as in MemoryLog.
        long cut = FindBatch(endOffset)?.PositionBytes ?? SizeBytes;
        RandomAccess.SetLength(File, cut);
        Rebuild(cut, verifyChecksums: false, onBatch: static _ => { });
        _indexes.SyncFiles();
        IsDirty = true;
        return SizeBytes > 0;
    }

    public void Delete()
    {
        Dispose();
        System.IO.File.Delete(_logPath);
        _indexes.DeleteFiles();
    }

    public void Dispose()
    {
        _indexes.Dispose();
        File.Dispose();
    }

    private SegmentRecovery Rebuild(long limitBytes, bool verifyChecksums, Action<RecordBatchHeader> onBatch)
    {
        _indexes.Clear();
        SizeBytes = 0;
        EndOffset = BaseOffset;
        MaxTimestampMs = -1;
        bool followsOn = true;
        SegmentWalkEnd end = SegmentWalker.Walk(File, 0, limitBytes, verifyChecksums, (long position, in RecordBatchView batch) =>
        {
            // BaseOffset is outside the CRC: a batch that does not follow on from the last one is corrupt too.
            followsOn = batch.Header.BaseOffset == EndOffset && !RelativeOffsetOverflows(batch.Header.LastOffset);
            if (!followsOn) return false;
            Account(position, batch.Header);
            onBatch(batch.Header);
            return true;
        });
        string? fault = !followsOn ? "a batch that does not follow on from the one before"
            : end.Fault == RecordBatchError.Truncated ? "a torn batch"
            : end.Fault != RecordBatchError.None ? $"a corrupt batch ({end.Fault})" : null;
        return new SegmentRecovery(SizeBytes, limitBytes - SizeBytes, fault);
    }

    private void Account(long positionBytes, RecordBatchHeader header)
    {
        _indexes.OnBatch(RelativeOffset(header.BaseOffset), checked((int)positionBytes), header.SizeBytes, header.MaxTimestamp);
        SizeBytes = positionBytes + header.SizeBytes;
        EndOffset = header.NextOffset;
        MaxTimestampMs = Math.Max(MaxTimestampMs, header.MaxTimestamp);
    }

    /// <summary>Index entries hold offsets relative to the base as int32; a batch past that range needs a new segment.</summary>
    public bool RelativeOffsetOverflows(long offset) => offset - BaseOffset > int.MaxValue;

    private int RelativeOffset(long offset) => checked((int)(offset - BaseOffset));

    private void Walk(long fromPositionBytes, SegmentWalker.BatchVisitor visitor) =>
        SegmentWalker.Walk(File, fromPositionBytes, SizeBytes, verifyChecksums: false, visitor);
}

/// <summary>What opening a segment found: the valid prefix kept, the bytes cut after it, and why (null when none were).</summary>
internal readonly record struct SegmentRecovery(long ValidBytes, long CutBytes, string? Fault);
