using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Reference.Core;
using Reference.Core.Log;
using Reference.Protocol.Records;

namespace Reference.Broker.Storage;

/// <summary>How a log lays out its segments.</summary>
/// <param name="SegmentBytes">log.segment.bytes: a batch that would take the active segment past this starts a new one.</param>
/// <param name="SegmentMs">log.roll.ms: a non-empty segment this old is rolled at the next append.</param>
/// <param name="IndexIntervalBytes">index.interval.bytes: log bytes between two index entries.</param>
public sealed record DiskLogSettings(long SegmentBytes, long SegmentMs, int IndexIntervalBytes);

/// <summary>
/// One partition's log on disk, <c>&lt;topic&gt;-&lt;partition&gt;/</c>: segments oldest first, the log start
/// offset (persisted in <c>log-start-offset</c>), the leader-epoch cache (rebuilt from batch headers at
/// open, kept up to date on append) and what is known durable. It behaves as MemoryLog does, the
/// simulator's model of the same log; the shared tests hold both to the same expectations.
/// Event-loop thread only.
/// </summary>
internal sealed class DiskLog : IDisposable
{
    public const string StartOffsetFileName = "log-start-offset";

    private readonly string _directory;
    private readonly DiskLogSettings _settings;
    private readonly Func<long> _clockMs;
    private readonly List<LogSegment> _segments = [];
    private readonly List<EpochStartOffset> _epochs = [];
    private readonly List<FlushTicket> _flushesInFlight = [];
    private FlushTicket? _unstartedFlush;
    private long _startOffset;
    private long _endOffset;
    private bool _directoryChanged;

    private DiskLog(TopicPartition partition, string directory, DiskLogSettings settings, Func<long> clockMs)
    {
        Partition = partition;
        _directory = directory;
        _settings = settings;
        _clockMs = clockMs;
    }

    public TopicPartition Partition { get; }

    public long DurableEndOffset { get; private set; }

    public bool IsDeleted { get; private set; }

    public LogExtent Extent => new(_startOffset, _endOffset, DurableEndOffset);

    public IReadOnlyList<EpochStartOffset> LeaderEpochs => _epochs.ToArray();

    public static DiskLog Create(TopicPartition partition, string directory, DiskLogSettings settings, Func<long> clockMs)
    {
        Directory.CreateDirectory(directory);
        // The new directory's name must be durable before anything in it can be.
        DurableFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(directory))!);
        return new DiskLog(partition, directory, settings, clockMs);
    }

    /// <summary>
    /// Opens a log after a stop. After an unclean stop (<paramref name="verifyChecksums"/>) every batch is
    /// checked; the log keeps everything before the first torn or corrupt batch and cuts the rest, later
    /// segments included. Whatever was fsynced is a valid prefix, so nothing durable is lost.
    /// </summary>
    public static DiskLog Open(TopicPartition partition, string directory, DiskLogSettings settings, Func<long> clockMs,
        bool verifyChecksums, Action<string> warn)
    {
        var log = new DiskLog(partition, directory, settings, clockMs);
        foreach (string leftover in Directory.GetFiles(directory).Where(DurableFile.IsTemporary)) File.Delete(leftover);
        long? checkpointedStart = log.ReadStartOffset();
        bool cut = false;
        foreach (long baseOffset in SegmentBaseOffsets(directory))
        {
            if (cut || (log._segments.Count > 0 && baseOffset != log._segments[^1].EndOffset))
            {
                if (!cut) warn($"Log {partition}: segment {baseOffset} does not follow on from offset {log._segments[^1].EndOffset}; deleting it and the segments after it.");
                cut = true;
                DeleteSegmentFiles(directory, baseOffset);
                continue;
            }
            cut = log.OpenSegment(baseOffset, verifyChecksums, warn);
        }
        long firstBase = log._segments.Count > 0 ? log._segments[0].BaseOffset : checkpointedStart ?? 0;
        log._endOffset = log._segments.Count > 0 ? log._segments[^1].EndOffset : firstBase;
        log._startOffset = Math.Min(Math.Max(checkpointedStart ?? firstBase, firstBase), log._endOffset);
        log.DurableEndOffset = log._endOffset;
        return log;
    }

    /// <summary>True when the directory holds a log (segments or a start offset), not just an empty folder.</summary>
    public static bool HoldsLog(string directory) =>
        SegmentBaseOffsets(directory).Any() || File.Exists(Path.Combine(directory, StartOffsetFileName));

    /// <summary>Refuses (false, nothing written) unless the batches follow on from the log's end, one after the other.</summary>
    public bool Append(long baseOffset, ReadOnlyMemory<byte> batches)
    {
        if (baseOffset != _endOffset || !FollowOn(batches, _endOffset)) return false;
        var walker = new RecordBatchWalker(batches);
        int groupStart = 0;
        while (walker.TryNext(out RecordBatchView batch))
        {
            long pendingBytes = batch.PositionBytes - groupStart;
            if (NeedsRoll(batch.Header, pendingBytes))
            {
                if (pendingBytes > 0) _segments[^1].Append(batches[groupStart..batch.PositionBytes]);
                Roll(batch.Header.BaseOffset);
                groupStart = batch.PositionBytes;
            }
            NoteEpoch(batch.Header);
            _endOffset = batch.Header.NextOffset;
        }
        if (groupStart < batches.Length) _segments[^1].Append(batches[groupStart..]);
        return true;
    }

    /// <summary>Removes every batch that holds an offset at or past <paramref name="endOffset"/> (whole batches only).</summary>
    public void Truncate(long endOffset)
    {
        while (_segments.Count > 0)
        {
            LogSegment last = _segments[^1];
            if (last.BaseOffset < endOffset && last.TruncateTo(endOffset)) break;
            last.Delete();
            _segments.RemoveAt(_segments.Count - 1);
            _directoryChanged = true;
            if (last.BaseOffset < endOffset) break;
        }
        _endOffset = _segments.Count == 0 ? _startOffset : _segments[^1].EndOffset;
        DurableEndOffset = Math.Min(DurableEndOffset, _endOffset);
        _epochs.RemoveAll(e => e.StartOffset >= _endOffset);
        foreach (FlushTicket ticket in _flushesInFlight) ticket.DurableCandidate = Math.Min(ticket.DurableCandidate, _endOffset);
    }

    /// <summary>
    /// Moves the log start up (never past the end), persists it, then deletes the segments wholly below it.
    /// The start is written first: a crash between the two leaves segments a restart deletes again.
    /// </summary>
    public void AdvanceStart(long newStartOffset)
    {
        if (newStartOffset <= _startOffset) return;
        _startOffset = Math.Min(newStartOffset, _endOffset);
        WriteStartOffset();
        while (_segments.Count > 1 && _segments[1].BaseOffset <= _startOffset)
        {
            _segments[0].Delete();
            _segments.RemoveAt(0);
            _directoryChanged = true;
        }
        if (_segments.Count > 0) TrimEpochsBelow(_segments[0].BaseOffset);
    }

    /// <summary>
    /// Kafka's <c>truncateFullyAndStartAt</c>: every segment goes and the log starts, empty, at
    /// <paramref name="offset"/>. The start is written (durably) first, as <see cref="AdvanceStart"/> does.
    /// </summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        _startOffset = offset;
        WriteStartOffset();
        foreach (LogSegment segment in _segments) segment.Delete();
        _segments.Clear();
        _epochs.Clear();
        _endOffset = offset;
        DurableEndOffset = offset;
        _directoryChanged = true;
        foreach (FlushTicket ticket in _flushesInFlight) ticket.DurableCandidate = Math.Min(ticket.DurableCandidate, offset);
    }

    public ReadOnlyMemory<byte> Read(long fromOffset, long endOffsetExclusive, int maxBytes)
    {
        long from = Math.Max(fromOffset, _startOffset);
        int index = SegmentIndexFor(from);
        (long PositionBytes, RecordBatchHeader Header)? first = null;
        for (; index >= 0 && index < _segments.Count && first is null; index++) first = _segments[index].FindBatch(from);
        if (first is null || first.Value.Header.NextOffset > endOffsetExclusive) return ReadOnlyMemory<byte>.Empty;
        index--;
        (long position, RecordBatchHeader header) = first.Value;

        // One buffer, sized by the bytes there are and the limit (never less than the first batch), filled
        // segment by segment: batches never span segments, so the pieces join into whole batches.
        long availableBytes = _segments[index].SizeBytes - position + _segments.Skip(index + 1).Sum(s => s.SizeBytes);
        int windowBytes = (int)Math.Min(availableBytes, Math.Max(header.SizeBytes, (long)maxBytes));
        byte[] buffer = GC.AllocateUninitializedArray<byte>(windowBytes);
        int filled = 0;
        for (int i = index; i < _segments.Count && filled < windowBytes; i++, position = 0)
        {
            int wanted = (int)Math.Min(windowBytes - filled, _segments[i].SizeBytes - position);
            filled += _segments[i].Read(position, buffer.AsSpan(filled, wanted));
        }

        int takenBytes = 0;
        var walker = new RecordBatchWalker(buffer.AsMemory(0, filled));
        while (walker.TryNext(out RecordBatchView batch))
        {
            if (batch.Header.NextOffset > endOffsetExclusive) break;
            if (takenBytes > 0 && takenBytes + batch.Memory.Length > maxBytes) break;
            takenBytes += batch.Memory.Length;
        }
        return buffer.AsMemory(0, takenBytes);
    }

    public IReadOnlyList<LogSegmentInfo> Segments() => _segments
        .Select((s, i) => new LogSegmentInfo(s.BaseOffset, i + 1 < _segments.Count ? _segments[i + 1].BaseOffset : _endOffset,
            s.SizeBytes, s.MaxTimestampMs, s.CreatedAtMs))
        .ToList();

    public long? OffsetForTimestamp(long timestampMs)
    {
        foreach (LogSegment segment in _segments)
        {
            if (segment.EndOffset <= _startOffset) continue;
            if (segment.FindTimestamp(timestampMs, _startOffset) is long found) return Math.Max(found, _startOffset);
        }
        return null;
    }

    /// <summary>
    /// Captures what a flush must fsync now. Null when an unstarted flush of this log absorbed it, or when
    /// nothing is pending; in both cases the caller hands nothing new to the flusher.
    /// </summary>
    public FlushTicket? CaptureFlush()
    {
        var files = new List<SafeFileHandle>();
        foreach (LogSegment segment in _segments.Where(s => s.IsDirty))
        {
            files.Add(segment.File);
            segment.IsDirty = false;
        }
        string? directory = _directoryChanged ? _directory : null;
        _directoryChanged = false;
        if (_unstartedFlush is not null && _unstartedFlush.TryAbsorb(_endOffset, files, directory)) return null;
        var ticket = new FlushTicket(this, _endOffset, files, directory);
        _unstartedFlush = ticket;
        _flushesInFlight.Add(ticket);
        return ticket;
    }

    /// <summary>Takes a finished flush into account; returns the durable end offset now known.</summary>
    public long CompleteFlush(FlushTicket ticket)
    {
        _flushesInFlight.Remove(ticket);
        if (_unstartedFlush == ticket) _unstartedFlush = null;
        DurableEndOffset = Math.Max(DurableEndOffset, Math.Min(ticket.DurableCandidate, _endOffset));
        return DurableEndOffset;
    }

    /// <summary>
    /// Deletes the log: the directory is first renamed to <c>…-delete</c> (atomic), so a crash half way
    /// through leaves a name the next start finishes deleting, never a log with holes.
    /// </summary>
    public void Delete()
    {
        Dispose();
        IsDeleted = true;
        string renamed = $"{_directory}.{Guid.NewGuid():N}{DiskLogStorage.DeletedDirectorySuffix}";
        Directory.Move(_directory, renamed);
        DurableFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(_directory))!);
        Directory.Delete(renamed, recursive: true);
    }

    public void Dispose()
    {
        foreach (LogSegment segment in _segments) segment.Dispose();
    }

    private bool OpenSegment(long baseOffset, bool verifyChecksums, Action<string> warn)
    {
        string path = LogSegment.PathFor(_directory, baseOffset, LogSegment.LogSuffix);
        long ageMs = (long)(DateTime.UtcNow - File.GetCreationTimeUtc(path)).TotalMilliseconds;
        (LogSegment segment, SegmentRecovery recovery) =
            LogSegment.Open(_directory, baseOffset, _clockMs() - Math.Max(0, ageMs), _settings.IndexIntervalBytes, verifyChecksums, NoteEpoch);
        if (recovery.Fault is not null)
            warn($"Log {Partition}: cut {recovery.CutBytes} bytes from segment {baseOffset} at position {recovery.ValidBytes}: {recovery.Fault}; the segments after it are deleted.");
        if (segment.SizeBytes == 0) segment.Delete();
        else _segments.Add(segment);
        return recovery.Fault is not null;
    }

    private static IEnumerable<long> SegmentBaseOffsets(string directory) => Directory.GetFiles(directory)
        .Select(Path.GetFileName)
        .Select(name => LogSegment.TryParseBaseOffset(name!, out long baseOffset) ? baseOffset : -1)
        .Where(baseOffset => baseOffset >= 0)
        .Order();

    private static void DeleteSegmentFiles(string directory, long baseOffset)
    {
        foreach (string suffix in new[] { LogSegment.LogSuffix, ".index", ".timeindex" })
            File.Delete(LogSegment.PathFor(directory, baseOffset, suffix));
    }

    private static bool FollowOn(ReadOnlyMemory<byte> batches, long endOffset)
    {
        var walker = new RecordBatchWalker(batches);
        while (walker.TryNext(out RecordBatchView batch))
        {
            if (batch.Header.BaseOffset != endOffset) return false;
            endOffset = batch.Header.NextOffset;
        }
        return walker.Stop == RecordBatchError.None;
    }

    /// <summary>MemoryLog's rule (size), plus age (log.roll.ms) and the index's 32-bit relative offsets.</summary>
    private bool NeedsRoll(RecordBatchHeader header, long pendingBytes)
    {
        if (_segments.Count == 0) return true;
        LogSegment active = _segments[^1];
        long sizeBytes = active.SizeBytes + pendingBytes;
        if (sizeBytes == 0) return false;
        return sizeBytes + header.SizeBytes > _settings.SegmentBytes
            || _clockMs() - active.CreatedAtMs >= _settings.SegmentMs
            || active.RelativeOffsetOverflows(header.LastOffset);
    }

    private void Roll(long baseOffset)
    {
        _segments.Add(LogSegment.Create(_directory, baseOffset, _clockMs(), _settings.IndexIntervalBytes));
        _directoryChanged = true;
    }

    /// <summary>Kafka's leader-epoch cache: where each epoch's first batch starts (epochs only grow along a log).</summary>
    private void NoteEpoch(RecordBatchHeader header)
    {
        if (_epochs.Count == 0 || _epochs[^1].Epoch < header.PartitionLeaderEpoch)
            _epochs.Add(new EpochStartOffset(header.PartitionLeaderEpoch, header.BaseOffset));
    }

    /// <summary>After segments below <paramref name="firstBaseOffset"/> are gone, the epoch in force there starts there.</summary>
    private void TrimEpochsBelow(long firstBaseOffset)
    {
        int inForce = _epochs.FindLastIndex(e => e.StartOffset <= firstBaseOffset);
        if (inForce < 0) return;
        int epoch = _epochs[inForce].Epoch;
        _epochs.RemoveRange(0, inForce + 1);
        _epochs.Insert(0, new EpochStartOffset(epoch, firstBaseOffset));
    }

    /// <summary>The last segment whose base is at or below <paramref name="offset"/>; the first when all are above; -1 when none.</summary>
    private int SegmentIndexFor(long offset)
    {
        if (_segments.Count == 0) return -1;
        int low = 0, high = _segments.Count - 1, found = 0;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (_segments[middle].BaseOffset <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else high = middle - 1;
        }
        return found;
    }

    private long? ReadStartOffset()
    {
        string path = Path.Combine(_directory, StartOffsetFileName);
        if (!File.Exists(path)) return null;
        string[] lines = File.ReadAllLines(path);
        return lines.Length >= 2 && lines[0] == "0" && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out long offset)
            ? offset
            : throw new InvalidDataException($"{path} is not a log start offset checkpoint (expected the lines '0' and an offset)");
    }

    /// <summary>Version 0 of our checkpoint: a line "0", then the offset.</summary>
    private void WriteStartOffset()
    {
        Directory.CreateDirectory(_directory);
        DurableFile.WriteAtomically(Path.Combine(_directory, StartOffsetFileName),
            Encoding.ASCII.GetBytes($"0\n{_startOffset.ToString(CultureInfo.InvariantCulture)}\n"));
    }
}
