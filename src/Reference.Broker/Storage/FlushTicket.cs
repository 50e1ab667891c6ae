using Microsoft.Win32.SafeHandles;

namespace Reference.Broker.Storage;

/// <summary>
/// One log's fsync, captured on the event-loop thread and carried out on the flusher thread: the files
/// written since the last capture, the directory when files were created or deleted in it, and the end
/// offset they cover. A ticket that has not started yet absorbs later captures of the same log, so the
/// flushes queued at any moment are bounded by the number of logs, and writes that wait together share one
/// fsync (group commit).
/// </summary>
internal sealed class FlushTicket
{
    private readonly List<SafeFileHandle> _files;
    private string? _directory;
    private bool _started;

    public FlushTicket(DiskLog log, long capturedEndOffset, List<SafeFileHandle> files, string? directory)
    {
        Log = log;
        DurableCandidate = capturedEndOffset;
        _files = files;
        _directory = directory;
    }

    public DiskLog Log { get; }

    /// <summary>
    /// What this flush makes durable once done: the end offset at capture, lowered by any truncation since
    /// (offsets past a truncation point may hold new, unflushed batches by the time the fsync ends).
    /// Read and written on the event-loop thread only.
    /// </summary>
    public long DurableCandidate { get; set; }

    /// <summary>Adds a later capture to a ticket the flusher has not started; false when it has.</summary>
    public bool TryAbsorb(long capturedEndOffset, List<SafeFileHandle> files, string? directory)
    {
        lock (_files)
        {
            if (_started) return false;
            DurableCandidate = capturedEndOffset;
            foreach (SafeFileHandle file in files) if (!_files.Contains(file)) _files.Add(file);
            _directory ??= directory;
            return true;
        }
    }

    /// <summary>
    /// Runs the fsyncs (on the flusher thread, or the loop thread at shutdown). A file closed meanwhile (its
    /// segment was deleted or truncated away) has nothing left to make durable. An fsync error is thrown:
    /// after a failed fsync the page cache may have dropped the data, so retrying cannot be trusted.
    /// </summary>
    public void Execute()
    {
        SafeFileHandle[] files;
        string? directory;
        lock (_files)
        {
            _started = true;
            files = _files.ToArray();
            directory = _directory;
        }
        foreach (SafeFileHandle file in files)
        {
            try
            {
                RandomAccess.FlushToDisk(file);
            }
            catch (ObjectDisposedException)
            {
            }
        }
        if (directory is not null && Directory.Exists(directory)) DurableFile.SyncDirectory(directory);
    }
}
