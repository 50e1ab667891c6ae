using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Storage;

/// <summary>Where the logs live and how they are laid out.</summary>
/// <param name="DataDirectory">The first of log.dirs: every partition but the metadata log.</param>
/// <param name="MetadataDirectory">metadata.log.dir: <c>__cluster_metadata-0</c> and its quorum-state file.</param>
/// <param name="DirectoryId">
/// The metadata directory's <c>directory.id</c> from its meta.properties, which the core reads as
/// <see cref="ILogStorage.DirectoryId"/> to tell whether it still runs on the disk its voter entry names (KIP-853);
/// <see cref="Uuid.Zero"/> when the directory has none.
/// </param>
public sealed record DiskLogStorageOptions(string DataDirectory, string MetadataDirectory, DiskLogSettings Settings, Uuid DirectoryId = default);

/// <summary>A finished flush, to be delivered to the node as <see cref="NodeInput.LogFlushed"/>.</summary>
public readonly record struct CompletedFlush(TopicPartition Log, long DurableEndOffset);

/// <summary>
/// The broker's disk: the node's logs as segment files, read synchronously through <see cref="ILogStorage"/>
/// and changed by the storage effects (<see cref="Apply"/>), and the quorum-state file. It behaves as
/// MemoryLogStorage, the simulator's disk, does; the shared tests hold both to the same expectations.
/// Owned by the event-loop thread; only fsyncs run elsewhere (<see cref="LogFlusher"/>).
/// On open it takes each directory's <c>.lock</c> (one broker per directory), finishes interrupted
/// deletions, and recovers every log: after an unclean stop (no <c>.clean-shutdown</c> marker) by checking
/// every batch's CRC.
/// </summary>
public sealed class DiskLogStorage : ILogStorage, IDisposable
{
    public const string CleanShutdownFileName = ".clean-shutdown";
    public const string LockFileName = ".lock";
    internal const string DeletedDirectorySuffix = "-delete";

    private readonly DiskLogStorageOptions _options;
    private readonly Func<long> _clockMs;
    private readonly SortedDictionary<TopicPartition, DiskLog> _logs = new();
    private readonly List<SafeFileHandle> _locks = [];

    private DiskLogStorage(DiskLogStorageOptions options, Func<long> clockMs)
    {
        _options = options;
        _clockMs = clockMs;
    }

    /// <summary>True when every directory was closed by <see cref="Close"/> with a clean stop.</summary>
    public bool WasCleanShutdown { get; private set; }

    public string QuorumStatePath => QuorumStateFile.PathIn(DirectoryOf(TopicPartition.ClusterMetadata));

    /// <summary>Opens and recovers the logs. <paramref name="warn"/> hears about every byte cut.</summary>
    public static DiskLogStorage Open(DiskLogStorageOptions options, Func<long> clockMs, Action<string> warn)
    {
        var storage = new DiskLogStorage(options, clockMs);
        try
        {
            storage.OpenDirectories(warn);
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    public Uuid DirectoryId => _options.DirectoryId;

    public IReadOnlyList<TopicPartition> Logs => _logs.Keys.ToList();

    public LogExtent Extent(TopicPartition log) => _logs.TryGetValue(log, out DiskLog? diskLog) ? diskLog.Extent : default;

    public ReadOnlyMemory<byte> Read(TopicPartition log, long fromOffset, long endOffsetExclusive, int maxBytes) =>
        _logs.TryGetValue(log, out DiskLog? diskLog) ? diskLog.Read(fromOffset, endOffsetExclusive, maxBytes) : ReadOnlyMemory<byte>.Empty;

    public IReadOnlyList<LogSegmentInfo> Segments(TopicPartition log) =>
        _logs.TryGetValue(log, out DiskLog? diskLog) ? diskLog.Segments() : [];

    public long? OffsetForTimestamp(TopicPartition log, long timestampMs) =>
        _logs.TryGetValue(log, out DiskLog? diskLog) ? diskLog.OffsetForTimestamp(timestampMs) : null;

    public IReadOnlyList<EpochStartOffset> LeaderEpochs(TopicPartition log) =>
        _logs.TryGetValue(log, out DiskLog? diskLog) ? diskLog.LeaderEpochs : [];

    /// <summary>
    /// Carries out a storage effect; other effects are ignored. Returns false for an append that does not
    /// start at the log's end (nothing is written then). Flushes go through <see cref="BeginFlush"/>.
    /// </summary>
    public bool Apply(NodeEffect effect)
    {
        switch (effect)
        {
            case NodeEffect.AppendToLog append:
                return LogFor(append.Log).Append(append.BaseOffset, append.Batches);
            case NodeEffect.TruncateLog truncate:
                if (_logs.TryGetValue(truncate.Log, out DiskLog? truncated)) truncated.Truncate(truncate.EndOffset);
                return true;
            case NodeEffect.AdvanceLogStart advance:
                LogFor(advance.Log).AdvanceStart(advance.NewStartOffset);
                return true;
            case NodeEffect.DeleteLog delete:
                if (_logs.Remove(delete.Log, out DiskLog? deleted)) deleted.Delete();
                return true;
            case NodeEffect.WriteSnapshot write:
                SnapshotFiles.Write(PartitionDirectory(write.Log), write.SnapshotId, write.Bytes.Span);
                return true;
            case NodeEffect.DeleteSnapshot deleteSnapshot:
                SnapshotFiles.Delete(PartitionDirectory(deleteSnapshot.Log), deleteSnapshot.SnapshotId);
                return true;
            case NodeEffect.TruncateFullyAndStartAt reset:
                LogFor(reset.Log).TruncateFullyAndStartAt(reset.NewStartOffset);
                return true;
            case NodeEffect.PersistQuorumState persist:
                QuorumStateFile.Write(QuorumStatePath, persist.State);
                return true;
            default:
                return true;
        }
    }

    /// <summary>Snapshots are files beside the log's segments, written durably at once (<see cref="SnapshotFiles"/>).</summary>
    public IReadOnlyList<SnapshotInfo> Snapshots(TopicPartition log) => SnapshotFiles.List(PartitionDirectory(log));

    public ReadOnlyMemory<byte> ReadSnapshot(TopicPartition log, Core.Raft.OffsetAndEpoch snapshotId, long position, int maxBytes) =>
        SnapshotFiles.Read(PartitionDirectory(log), snapshotId, position, maxBytes);

    public QuorumStateData? ReadQuorumState() => QuorumStateFile.Read(QuorumStatePath);

    /// <summary>What the flusher must do to make <paramref name="log"/> durable to its current end; null when nothing new.</summary>
    internal FlushTicket? BeginFlush(TopicPartition log) => _logs.TryGetValue(log, out DiskLog? diskLog) ? diskLog.CaptureFlush() : null;

    /// <summary>Takes a finished fsync into account; null when its log was deleted meanwhile.</summary>
    internal CompletedFlush? CompleteFlush(FlushTicket ticket)
    {
        if (ticket.Log.IsDeleted || !_logs.TryGetValue(ticket.Log.Partition, out DiskLog? current) || current != ticket.Log) return null;
        return new CompletedFlush(ticket.Log.Partition, ticket.Log.CompleteFlush(ticket));
    }

    /// <summary>Flushes on the calling thread and returns the durable end offset (shutdown, tests).</summary>
    public long FlushNow(TopicPartition log)
    {
        if (!_logs.TryGetValue(log, out DiskLog? diskLog)) return 0;
        FlushTicket? ticket = diskLog.CaptureFlush();
        ticket?.Execute();
        return ticket is null ? diskLog.DurableEndOffset : diskLog.CompleteFlush(ticket);
    }

    /// <summary>
    /// Flushes every log and leaves the clean-shutdown marker, so the next open trusts the files without
    /// checking every CRC. Then releases the files and the directory locks.
    /// </summary>
    public void Close()
    {
        foreach (TopicPartition log in _logs.Keys.ToList()) FlushNow(log);
        foreach (string directory in Directories()) DurableFile.WriteAtomically(Path.Combine(directory, CleanShutdownFileName), []);
        Dispose();
    }

    public void Dispose()
    {
        foreach (DiskLog log in _logs.Values) log.Dispose();
        _logs.Clear();
        foreach (SafeFileHandle directoryLock in _locks) directoryLock.Dispose();
        _locks.Clear();
    }

    private void OpenDirectories(Action<string> warn)
    {
        bool allClean = true;
        foreach (string directory in Directories())
        {
            Directory.CreateDirectory(directory);
            TakeLock(directory);
            string marker = Path.Combine(directory, CleanShutdownFileName);
            bool clean = File.Exists(marker);
            allClean &= clean;
            string[] partitionDirectories = Directory.GetDirectories(directory).Order(StringComparer.Ordinal).ToArray();
            if (!clean && partitionDirectories.Any(DiskLog.HoldsLog))
                warn($"{directory} was not closed cleanly: checking every batch of its logs.");
            foreach (string partitionDirectory in partitionDirectories)
                OpenPartitionDirectory(directory, partitionDirectory, verifyChecksums: !clean, warn);
            if (clean)
            {
                // The next stop may not be clean: the marker must not outlive this start.
                File.Delete(marker);
                DurableFile.SyncDirectory(directory);
            }
        }
        WasCleanShutdown = allClean;
    }

    private void OpenPartitionDirectory(string directory, string partitionDirectory, bool verifyChecksums, Action<string> warn)
    {
        string name = Path.GetFileName(partitionDirectory);
        if (name.EndsWith(DeletedDirectorySuffix, StringComparison.Ordinal))
        {
            Directory.Delete(partitionDirectory, recursive: true);
            return;
        }
        if (!TryParsePartitionDirectory(name, out TopicPartition partition) || DirectoryOf(partition) != directory) return;
        if (_logs.ContainsKey(partition) || !DiskLog.HoldsLog(partitionDirectory)) return;
        _logs[partition] = DiskLog.Open(partition, partitionDirectory, _options.Settings, _clockMs, verifyChecksums, warn);
    }

    private void TakeLock(string directory)
    {
        string path = Path.Combine(directory, LockFileName);
        try
        {
            _locks.Add(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            throw new IOException($"{directory} is in use by another broker (its {LockFileName} is held); one broker per directory.");
        }
    }

    private IEnumerable<string> Directories() =>
        new[] { _options.DataDirectory, _options.MetadataDirectory }.Distinct(StringComparer.Ordinal);

    private string DirectoryOf(TopicPartition log) =>
        log == TopicPartition.ClusterMetadata ? _options.MetadataDirectory : _options.DataDirectory;

    private string PartitionDirectory(TopicPartition log) => Path.Combine(DirectoryOf(log), log.ToString());

    private DiskLog LogFor(TopicPartition log)
    {
        if (!_logs.TryGetValue(log, out DiskLog? diskLog))
            _logs[log] = diskLog = DiskLog.Create(log, PartitionDirectory(log), _options.Settings, _clockMs);
        return diskLog;
    }

    /// <summary>Kafka's directory name, <c>topic-partition</c>: the partition is what follows the last dash.</summary>
    internal static bool TryParsePartitionDirectory(string name, out TopicPartition partition)
    {
        partition = default;
        int dash = name.LastIndexOf('-');
        if (dash <= 0 || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int number)) return false;
        partition = new TopicPartition(name[..dash], number);
        return true;
    }
}
