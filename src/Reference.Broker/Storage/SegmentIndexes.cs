using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Reference.Broker.Storage;

/// <summary>
/// A segment's two sparse indexes, in Kafka's file formats: <c>.index</c> holds 8-byte entries (offset
/// relative to the segment's base as int32, file position as int32) and <c>.timeindex</c> 12-byte entries
/// (timestamp int64, relative offset int32), all big-endian. Entries are added at the same moments: at a
/// batch that starts at least <c>index.interval.bytes</c> after the last indexed one. The offset entry names
/// the batch's base offset and position; the time entry, written only when the segment's largest timestamp
/// grew, says that no batch up to and including that one has a timestamp above it. Both are a pure function
/// of the segment's batches, so recovery rebuilds them from a walk and rewrites the files only when they
/// differ. Lookups use the entries in memory; the files are kept for tools and for parity with Kafka's layout.
/// </summary>
internal sealed class SegmentIndexes : IDisposable
{
    public const int OffsetEntryBytes = 8;
    public const int TimeEntryBytes = 12;

    private readonly string _offsetIndexPath;
    private readonly string _timeIndexPath;
    private readonly int _intervalBytes;
    private readonly List<(int RelativeOffset, int Position)> _offsetEntries = [];
    private readonly List<(long TimestampMs, int RelativeOffset)> _timeEntries = [];
    private SafeFileHandle? _offsetFile;
    private SafeFileHandle? _timeFile;
    private long _bytesSinceEntry;
    private long _maxTimestampMs = -1;

    public SegmentIndexes(string offsetIndexPath, string timeIndexPath, int intervalBytes)
    {
        _offsetIndexPath = offsetIndexPath;
        _timeIndexPath = timeIndexPath;
        _intervalBytes = intervalBytes;
    }

    public int OffsetEntryCount => _offsetEntries.Count;

    /// <summary>Accounts for a batch appended at <paramref name="positionBytes"/>; writes entries to the files when open.</summary>
    public void OnBatch(int relativeOffset, int positionBytes, long sizeBytes, long maxTimestampMs)
    {
        _maxTimestampMs = Math.Max(_maxTimestampMs, maxTimestampMs);
        if (_bytesSinceEntry >= _intervalBytes)
        {
            _offsetEntries.Add((relativeOffset, positionBytes));
            if (_offsetFile is not null) WriteOffsetEntry(_offsetFile, _offsetEntries.Count - 1);
            if (_timeEntries.Count == 0 || _maxTimestampMs > _timeEntries[^1].TimestampMs)
            {
                _timeEntries.Add((_maxTimestampMs, relativeOffset));
                if (_timeFile is not null) WriteTimeEntry(_timeFile, _timeEntries.Count - 1);
            }
            _bytesSinceEntry = 0;
        }
        _bytesSinceEntry += sizeBytes;
    }

    /// <summary>Forgets every entry (before a rebuild from a walk).</summary>
    public void Clear()
    {
        _offsetEntries.Clear();
        _timeEntries.Clear();
        _bytesSinceEntry = 0;
        _maxTimestampMs = -1;
    }

    /// <summary>Opens the files for appending, first rewriting them when they do not hold exactly the entries in memory.</summary>
    public void SyncFiles()
    {
        CloseFiles();
        _offsetFile = OpenMatching(_offsetIndexPath, EncodeOffsetEntries());
        _timeFile = OpenMatching(_timeIndexPath, EncodeTimeEntries());
    }

    /// <summary>The position of the last indexed batch at or below <paramref name="relativeOffset"/> (0 when none is).</summary>
    public int FloorPosition(int relativeOffset)
    {
        int low = 0, high = _offsetEntries.Count - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (_offsetEntries[middle].RelativeOffset <= relativeOffset)
            {
                found = middle;
                low = middle + 1;
            }
            else high = middle - 1;
        }
        return found < 0 ? 0 : _offsetEntries[found].Position;
    }

    /// <summary>
    /// The relative offset of the last time entry below <paramref name="timestampMs"/>: every batch up to it
    /// is older, so a search may start there. Null when none is (search from the segment's start).
    /// </summary>
    public int? LastRelativeOffsetOlderThan(long timestampMs)
    {
        int low = 0, high = _timeEntries.Count - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (_timeEntries[middle].TimestampMs < timestampMs)
            {
                found = middle;
                low = middle + 1;
            }
            else high = middle - 1;
        }
        return found < 0 ? null : _timeEntries[found].RelativeOffset;
    }

    public void DeleteFiles()
    {
        CloseFiles();
        File.Delete(_offsetIndexPath);
        File.Delete(_timeIndexPath);
    }

    public void Dispose() => CloseFiles();

    private void CloseFiles()
    {
        _offsetFile?.Dispose();
        _timeFile?.Dispose();
        _offsetFile = _timeFile = null;
    }

    private static SafeFileHandle OpenMatching(string path, byte[] expected)
    {
        SafeFileHandle file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        long length = RandomAccess.GetLength(file);
        if (length == expected.Length)
        {
            var actual = new byte[expected.Length];
            if (SegmentWalker.ReadFully(file, actual, 0) == expected.Length && actual.AsSpan().SequenceEqual(expected)) return file;
        }
        RandomAccess.SetLength(file, 0);
        RandomAccess.Write(file, expected, 0);
        return file;
    }

    private byte[] EncodeOffsetEntries()
    {
        var bytes = new byte[_offsetEntries.Count * OffsetEntryBytes];
        for (int i = 0; i < _offsetEntries.Count; i++) EncodeOffsetEntry(bytes.AsSpan(i * OffsetEntryBytes), i);
        return bytes;
    }

    private byte[] EncodeTimeEntries()
    {
        var bytes = new byte[_timeEntries.Count * TimeEntryBytes];
        for (int i = 0; i < _timeEntries.Count; i++) EncodeTimeEntry(bytes.AsSpan(i * TimeEntryBytes), i);
        return bytes;
    }

    private void EncodeOffsetEntry(Span<byte> destination, int index)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, _offsetEntries[index].RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], _offsetEntries[index].Position);
    }

    private void EncodeTimeEntry(Span<byte> destination, int index)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, _timeEntries[index].TimestampMs);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], _timeEntries[index].RelativeOffset);
    }

    private void WriteOffsetEntry(SafeFileHandle file, int index)
    {
        Span<byte> entry = stackalloc byte[OffsetEntryBytes];
        EncodeOffsetEntry(entry, index);
        RandomAccess.Write(file, entry, (long)index * OffsetEntryBytes);
    }

    private void WriteTimeEntry(SafeFileHandle file, int index)
    {
        Span<byte> entry = stackalloc byte[TimeEntryBytes];
        EncodeTimeEntry(entry, index);
        RandomAccess.Write(file, entry, (long)index * TimeEntryBytes);
    }
}
