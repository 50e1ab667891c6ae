using System.Diagnostics.CodeAnalysis;
using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;

namespace Reference.Simulation.Storage;

/// <summary>
/// A node's disk, in memory: the logs' batches, what of them is durable, and the quorum state. It carries
/// out the storage effects a node emits (<see cref="Apply"/>) and answers its reads. <see cref="Crash()"/>
/// keeps only what was durable, as a power cut would; the simulator can also tear the first unflushed
/// bytes (<see cref="Crash(IReadOnlyList{TornWrite})"/>) or rot a durable byte (<see cref="CorruptByte"/>).
/// Every batch is checked against its CRC when it is read and by <see cref="Recover"/>, which a restart
/// runs before the node sees the disk; a bad batch is never served (<see cref="LogCorruptionException"/>).
/// Deterministic: no clock, no hashing order.
/// </summary>
public sealed class MemoryLogStorage : ILogStorage
{
    /// <summary>
    /// The quorum-state file is kept as Kafka 4 writes it, QuorumStateData version 1 (leader id, leader
    /// epoch, voted id, voted directory id), and read back as a fresh object: what a node persisted cannot
    /// change behind the disk's back when the node later mutates the object it handed over.
    /// </summary>
    public const short QuorumStateFileVersion = 1;

    private readonly SortedDictionary<TopicPartition, MemoryLog> _logs = new();

    /// <summary>
    /// <c>__cluster_metadata</c>'s entry of <see cref="_logs"/>, or null while it has none: the Raft monitors read
    /// that log's extent on every node after every event, and the sorted dictionary's topic-name comparisons
    /// were most of what two of them cost in the explorer's profile. Set and cleared only where
    /// <see cref="_logs"/> gains or loses that entry (<see cref="LogFor"/>, <see cref="Apply"/>'s DeleteLog).
    /// </summary>
    private MemoryLog? _metadataLog;
    private readonly SortedDictionary<TopicPartition, List<StoredSnapshot>> _snapshots = new();

    /// <summary>A snapshot file: its bytes (replaced, never changed, when rotted) and whether a flush made it durable.</summary>
    private sealed class StoredSnapshot(OffsetAndEpoch id, byte[] bytes)
    {
        public OffsetAndEpoch Id { get; } = id;
        public byte[] Bytes { get; set; } = bytes;
        public bool IsDurable { get; set; }
    }
    private byte[]? _quorumStateFile;

    /// <summary>The last persisted quorum state, decoded afresh on every read; null when none was ever written.</summary>
    public Protocol.Messages.QuorumStateData? QuorumState => _quorumStateFile is null ? null : DecodeQuorumState(_quorumStateFile);

    /// <summary>
    /// The same state, decoded once per write and shared by every read until the next write: for readers that
    /// never change it (the monitors, which read every node's after every event). Null when none was written.
    /// </summary>
    internal Protocol.Messages.QuorumStateData? SharedQuorumState => _quorumStateFile is null ? null : _quorumStateShared ??= DecodeQuorumState(_quorumStateFile);

    private Protocol.Messages.QuorumStateData? _quorumStateShared;

    private static Protocol.Messages.QuorumStateData DecodeQuorumState(byte[] file) =>
        Protocol.Messages.MessageBytes.TryDecode(file, QuorumStateFileVersion, out Protocol.Messages.QuorumStateData? state, out string? error)
            ? state! : throw new InvalidOperationException($"the quorum-state file does not read back: {error}");

    /// <summary>
    /// The disk's meta.properties, reduced to what the core reads of it: the <c>directory.id</c> its format
    /// wrote (KIP-858). A replaced disk is a new <see cref="MemoryLogStorage"/>, formatted with a new id
    /// (<see cref="SimulatedFormat"/>); <see cref="Uuid.Zero"/> only for a disk built without a format (unit tests).
    /// </summary>
    public Uuid DirectoryId { get; init; }

    /// <summary>The clock used to stamp new segments (the simulator's virtual time).</summary>
    public long NowMs { get; set; }

    public long SegmentBytes { get; init; } = 1L << 30;

    public IReadOnlyList<TopicPartition> Logs => _logs.Keys.ToList();

    /// <summary>
    /// Counts the calls that may have changed what the disk holds (every effect applied, flush, crash, recovery
    /// and rotted byte; reads never): a reader that keeps what it derived from the disk knows it still holds
    /// while the count is the same. ConsistentCommittedData skips a replica's disk by it. A call that changed
    /// nothing may count too; that only costs such a reader one more read.
    /// </summary>
    public long Changes { get; private set; }

    /// <summary>Carries out a storage effect; other effects are ignored. Returns false for a rejected append.</summary>
    public bool Apply(NodeEffect effect)
    {
        Changes++;
        switch (effect)
        {
            case NodeEffect.AppendToLog append:
                return LogFor(append.Log).Append(append.BaseOffset, append.Batches, NowMs, SegmentBytes);
            case NodeEffect.TruncateLog truncate:
                if (TryGetLog(truncate.Log, out MemoryLog? truncated)) truncated.Truncate(truncate.EndOffset);
                return true;
            case NodeEffect.AdvanceLogStart advance:
                LogFor(advance.Log).AdvanceStart(advance.NewStartOffset);
                return true;
            case NodeEffect.DeleteLog delete:
                _logs.Remove(delete.Log);
                if (delete.Log == TopicPartition.ClusterMetadata) _metadataLog = null;
                _snapshots.Remove(delete.Log);
                return true;
            case NodeEffect.WriteSnapshot write:
                List<StoredSnapshot> snapshots = SnapshotsFor(write.Log);
                if (!snapshots.Any(s => s.Id == write.SnapshotId)) snapshots.Add(new StoredSnapshot(write.SnapshotId, write.Bytes.ToArray()));
                snapshots.Sort((a, b) => a.Id.Offset != b.Id.Offset ? a.Id.Offset.CompareTo(b.Id.Offset) : a.Id.Epoch.CompareTo(b.Id.Epoch));
                return true;
            case NodeEffect.DeleteSnapshot deleteSnapshot:
                if (_snapshots.TryGetValue(deleteSnapshot.Log, out List<StoredSnapshot>? held)) held.RemoveAll(s => s.Id == deleteSnapshot.SnapshotId);
                return true;
            case NodeEffect.TruncateFullyAndStartAt reset:
                LogFor(reset.Log).TruncateFullyAndStartAt(reset.NewStartOffset);
                return true;
            case NodeEffect.PersistQuorumState persist:
                _quorumStateFile = Protocol.Messages.MessageBytes.Encode(persist.State, QuorumStateFileVersion);
                _quorumStateShared = null;
                return true;
            default:
                return true;
        }
    }

    /// <summary>Makes everything written to the log durable; returns the durable end offset.</summary>
    public long Flush(TopicPartition log)
    {
        Changes++;
        MarkSnapshotsDurable(log);
        return TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.Flush() : 0;
    }

    /// <summary>
    /// Makes the log durable up to <paramref name="upToOffset"/> (its end when the flush was asked for),
    /// rounded down to a batch boundary; returns the durable end offset, 0 for a log that is gone.
    /// </summary>
    public long FlushTo(TopicPartition log, long upToOffset)
    {
        Changes++;
        MarkSnapshotsDurable(log);
        return TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.FlushTo(upToOffset) : 0;
    }

    /// <summary>A log's flush is also the fsync of the snapshots written for it (NodeEffect.WriteSnapshot's rule).</summary>
    private void MarkSnapshotsDurable(TopicPartition log)
    {
        if (!_snapshots.TryGetValue(log, out List<StoredSnapshot>? snapshots)) return;
        foreach (StoredSnapshot snapshot in snapshots) snapshot.IsDurable = true;
    }

    /// <summary>A power cut: every log keeps only its durable prefix.</summary>
    public void Crash() => Crash([]);

    /// <summary>
    /// A power cut that tore writes: each log keeps its durable prefix, and a log named in
    /// <paramref name="tornWrites"/> also keeps that many bytes of its unflushed tail, possibly ending inside
    /// a batch. The torn bytes stay on the disk until <see cref="Recover"/> runs at restart.
    /// </summary>
    public void Crash(IReadOnlyList<TornWrite> tornWrites)
    {
        Changes++;
        foreach ((TopicPartition name, MemoryLog log) in _logs)
        {
            TornWrite? torn = tornWrites.FirstOrDefault(t => t.Log == name);
            log.Crash(torn?.KeptUnflushedBytes ?? 0);
        }
        // A snapshot no flush made durable is lost whole: Kafka writes it to a .part file renamed only after fsync.
        foreach (List<StoredSnapshot> snapshots in _snapshots.Values) snapshots.RemoveAll(s => !s.IsDurable);
    }

    /// <summary>
    /// What a broker does on start before it opens its logs: every log is checked batch by batch and cut at
    /// the first batch that is torn, fails its CRC or breaks the offset sequence; what remains is durable.
    /// Returns the cuts, in log order.
    /// </summary>
    public IReadOnlyList<RecoveryCut> Recover()
    {
        Changes++;
        var cuts = new List<RecoveryCut>();
        foreach ((TopicPartition name, MemoryLog log) in _logs)
            if (log.Recover(name) is { } cut) cuts.Add(cut);
        return cuts;
    }

    /// <summary>Flips <paramref name="xorMask"/>'s bits in byte <paramref name="byteIndex"/> of a durable batch; false when there is no such byte to rot.</summary>
    public bool CorruptByte(TopicPartition log, long batchBaseOffset, int byteIndex, byte xorMask)
    {
        Changes++;
        return TryGetLog(log, out MemoryLog? memoryLog) && memoryLog.Corrupt(batchBaseOffset, byteIndex, xorMask);
    }

    /// <summary>Bytes written to the log but not yet durable.</summary>
    public int UnflushedBytes(TopicPartition log) => TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.UnflushedBytes : 0;

    /// <summary>The log's durable batches as (base offset, size in bytes), oldest first.</summary>
    public IReadOnlyList<(long BaseOffset, int SizeBytes)> DurableBatches(TopicPartition log) =>
        TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.DurableBatches() : [];

    public LogExtent Extent(TopicPartition log) =>
        TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.Extent : default;

    public ReadOnlyMemory<byte> Read(TopicPartition log, long fromOffset, long endOffsetExclusive, int maxBytes) =>
        TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.Read(log, fromOffset, endOffsetExclusive, maxBytes) : ReadOnlyMemory<byte>.Empty;

    public IReadOnlyList<LogSegmentInfo> Segments(TopicPartition log) =>
        TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.Segments() : [];

    public long? OffsetForTimestamp(TopicPartition log, long timestampMs) =>
        TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.OffsetForTimestamp(timestampMs) : null;

    public IReadOnlyList<EpochStartOffset> LeaderEpochs(TopicPartition log) =>
        TryGetLog(log, out MemoryLog? memoryLog) ? memoryLog.LeaderEpochs() : [];

    public IReadOnlyList<SnapshotInfo> Snapshots(TopicPartition log) =>
        _snapshots.TryGetValue(log, out List<StoredSnapshot>? snapshots)
            ? snapshots.Select(s => new SnapshotInfo(s.Id, s.Bytes.Length, s.IsDurable)).ToList()
            : [];

    public ReadOnlyMemory<byte> ReadSnapshot(TopicPartition log, OffsetAndEpoch snapshotId, long position, int maxBytes)
    {
        StoredSnapshot? snapshot = _snapshots.TryGetValue(log, out List<StoredSnapshot>? snapshots) ? snapshots.FirstOrDefault(s => s.Id == snapshotId) : null;
        if (snapshot is null || position < 0 || position >= snapshot.Bytes.Length || maxBytes <= 0) return ReadOnlyMemory<byte>.Empty;
        return snapshot.Bytes.AsMemory((int)position, (int)Math.Min(maxBytes, snapshot.Bytes.Length - position));
    }

    /// <summary>Flips bits of one byte of a stored snapshot, as a rotting sector would; false when there is no such byte.</summary>
    public bool CorruptSnapshotByte(TopicPartition log, OffsetAndEpoch snapshotId, int byteIndex, byte xorMask)
    {
        Changes++;
        StoredSnapshot? snapshot = _snapshots.TryGetValue(log, out List<StoredSnapshot>? snapshots) ? snapshots.FirstOrDefault(s => s.Id == snapshotId) : null;
        if (snapshot is null || byteIndex < 0 || byteIndex >= snapshot.Bytes.Length) return false;
        byte[] rotted = snapshot.Bytes.ToArray();
        rotted[byteIndex] ^= xorMask;
        snapshot.Bytes = rotted;
        return true;
    }

    private List<StoredSnapshot> SnapshotsFor(TopicPartition log)
    {
        if (!_snapshots.TryGetValue(log, out List<StoredSnapshot>? snapshots)) _snapshots[log] = snapshots = [];
        return snapshots;
    }

    private MemoryLog LogFor(TopicPartition log)
    {
        if (TryGetLog(log, out MemoryLog? memoryLog)) return memoryLog;
        _logs[log] = memoryLog = new MemoryLog();
        if (log == TopicPartition.ClusterMetadata) _metadataLog = memoryLog;
        return memoryLog;
    }

    /// <summary>Every read and write finds its log here: the metadata log by its field, any other in the dictionary.</summary>
    private bool TryGetLog(TopicPartition log, [NotNullWhen(true)] out MemoryLog? memoryLog)
    {
        if (log != TopicPartition.ClusterMetadata) return _logs.TryGetValue(log, out memoryLog);
        memoryLog = _metadataLog;
        return memoryLog is not null;
    }
}
