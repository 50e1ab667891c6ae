using Reference.Protocol.Primitives;

namespace Reference.Core.Log;

/// <summary>
/// Synchronous, deterministic reads of what a node's logs hold (ARCHITECTURE.md: reads may be calls,
/// writes are effects). The simulator's implementation is in memory, the broker's reads segment files.
/// Offsets are Kafka's: a log holds batches from <see cref="LogExtent.StartOffset"/> to
/// <see cref="LogExtent.EndOffset"/> (exclusive), each batch a RecordBatch v2 with its offsets assigned.
/// </summary>
public interface ILogStorage
{
    /// <summary>
    /// The directory id of the storage holding <c>__cluster_metadata</c>: the <c>directory.id</c> that
    /// <c>storage format</c> wrote into its meta.properties (KIP-858/KIP-853), new on every format. It is how a
    /// voter tells that its disk is still the one it voted and acknowledged entries with; <see cref="Uuid.Zero"/>
    /// when the storage has none (formatted before directory ids existed), in which case no check can apply.
    /// </summary>
    Uuid DirectoryId { get; }

    /// <summary>The logs that exist, in <see cref="TopicPartition"/> order (after recovery, at start).</summary>
    IReadOnlyList<TopicPartition> Logs { get; }

    /// <summary>The bounds of a log; all zero for a log that does not exist yet.</summary>
    LogExtent Extent(TopicPartition log);

    /// <summary>
    /// Whole batches, starting with the one that holds <paramref name="fromOffset"/>, in order, that end
    /// below <paramref name="endOffsetExclusive"/>, until <paramref name="maxBytes"/> would be exceeded; the
    /// first such batch is returned even when it alone is larger (Kafka's rule, so a consumer always makes
    /// progress). Empty when there is nothing in that range.
    /// </summary>
    ReadOnlyMemory<byte> Read(TopicPartition log, long fromOffset, long endOffsetExclusive, int maxBytes);

    /// <summary>The log's segments, oldest first, for retention decisions.</summary>
    IReadOnlyList<LogSegmentInfo> Segments(TopicPartition log);

    /// <summary>The first offset whose batch's max timestamp is at or after <paramref name="timestampMs"/>, if any.</summary>
    long? OffsetForTimestamp(TopicPartition log, long timestampMs);

    /// <summary>
    /// Where each leader epoch starts in the log, ascending (Kafka's leader-epoch cache), as found in the
    /// batches' PartitionLeaderEpoch fields. Used on start to rebuild the core's epoch cache.
    /// </summary>
    IReadOnlyList<EpochStartOffset> LeaderEpochs(TopicPartition log);

    /// <summary>
    /// The snapshots stored for a log (KIP-630), by id ascending (end offset, then epoch), with whether each is
    /// durable yet (<see cref="Node.NodeEffect.WriteSnapshot"/> becomes durable with the log's next flush).
    /// </summary>
    IReadOnlyList<SnapshotInfo> Snapshots(TopicPartition log);

    /// <summary>
    /// Up to <paramref name="maxBytes"/> bytes of a stored snapshot from <paramref name="position"/>; empty at or
    /// past its end or when there is no such snapshot. The bytes are returned as stored: checking them is the reader's job.
    /// </summary>
    ReadOnlyMemory<byte> ReadSnapshot(TopicPartition log, Raft.OffsetAndEpoch snapshotId, long position, int maxBytes);
}

/// <param name="Id">The snapshot's end offset (exclusive) and the epoch of the last batch it covers.</param>
/// <param name="SizeBytes">Its size in bytes.</param>
/// <param name="IsDurable">Whether it is on stable storage (survives a crash).</param>
public readonly record struct SnapshotInfo(Raft.OffsetAndEpoch Id, long SizeBytes, bool IsDurable);

/// <param name="StartOffset">The first offset still readable (the log start offset).</param>
/// <param name="EndOffset">One past the last offset written (the log end offset), durable or not.</param>
/// <param name="DurableEndOffset">One past the last offset known to be on stable storage.</param>
public readonly record struct LogExtent(long StartOffset, long EndOffset, long DurableEndOffset);

/// <param name="BaseOffset">The segment's first offset.</param>
/// <param name="EndOffset">One past its last offset.</param>
/// <param name="SizeBytes">Its size on storage.</param>
/// <param name="MaxTimestampMs">The largest batch max timestamp in it (-1 when empty).</param>
/// <param name="CreatedAtMs">When the segment was rolled (for segment.ms), in the shell's clock.</param>
public readonly record struct LogSegmentInfo(long BaseOffset, long EndOffset, long SizeBytes, long MaxTimestampMs, long CreatedAtMs);

/// <summary>The first offset written in a leader epoch.</summary>
public readonly record struct EpochStartOffset(int Epoch, long StartOffset);
