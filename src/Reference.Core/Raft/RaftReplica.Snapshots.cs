using Reference.Core.Node;

namespace Reference.Core.Raft;

/// <summary>
/// Snapshots of the metadata log (KIP-630), the replica's side: the state machine hands in a snapshot at a
/// committed offset (<see cref="TryCreateSnapshot"/>, Kafka's <c>KafkaRaftClient.createSnapshot</c>), the replica
/// stores it and, once a flush made it durable, lets the log start move up to it. What the replica holds is
/// shown read-only for the node (which loads snapshots into its image) and for monitors.
/// </summary>
public sealed partial class RaftReplica
{
    /// <summary>The first offset the metadata log still holds; everything below is covered by the snapshot at it.</summary>
    public long LogStartOffset => _log.StartOffset;

    /// <summary>The durable, intact snapshots this replica holds, by end offset ascending.</summary>
    public IReadOnlyList<OffsetAndEpoch> SnapshotIds => _log.Snapshots;

    /// <summary>The latest durable snapshot: the state a restarted node loads before it replays the log above it.</summary>
    public OffsetAndEpoch? LatestSnapshotId => _log.LatestSnapshot;

    /// <summary>Snapshots fetched from a leader and installed by this replica since it started (KIP-630's FetchSnapshot).</summary>
    public int SnapshotsInstalled { get; private set; }

    /// <summary>
    /// Stores a snapshot of the state machine as of <paramref name="snapshotId"/> (its end offset exclusive, and
    /// the epoch of the batch holding the offset before it). Kafka's rule: only committed state is snapshotted, so
    /// the end offset may not pass the high watermark, and snapshots only move forward. The snapshot counts once
    /// a flush made it durable; returns false when it was refused.
    /// </summary>
    public bool TryCreateSnapshot(OffsetAndEpoch snapshotId, ReadOnlyMemory<byte> snapshot, Effects effects)
    {
        RequireStarted();
        if (snapshotId.Offset <= 0 || snapshotId.Offset > _highWatermark || snapshotId.Epoch < 0) return false;
        if (_log.LatestSnapshot is { } latest && snapshotId.Offset <= latest.Offset) return false;
        if (_log.SnapshotsAwaitingFlush.Any(pending => pending.Offset >= snapshotId.Offset)) return false;
        _log.WriteSnapshot(snapshotId, snapshot, effects);
        return true;
    }

    /// <summary>The bytes of a snapshot this replica holds (for the node to load it); empty when it holds none with that id.</summary>
    public ReadOnlyMemory<byte> ReadSnapshot(OffsetAndEpoch snapshotId) => _log.ReadSnapshot(snapshotId);

    /// <summary>
    /// After a flush: snapshots it made durable count now, and the log below the latest one may go. Kafka's
    /// <c>KafkaMetadataLog</c> deletes whole segments below the latest snapshot once the log is over
    /// <c>metadata.max.retention.bytes</c> or its oldest segment is older than <c>metadata.max.retention.ms</c>;
    /// we move the log start to the snapshot in one step under the same two knobs (stated simplification), and
    /// delete the snapshots below the new start, so the earliest snapshot is always the one at the log start.
    /// </summary>
    private void MaybeDeleteBeforeSnapshot(long nowMs, Effects effects)
    {
        if (_log.LatestSnapshot is not { } latest || latest.Offset <= _log.StartOffset || latest.Offset > _log.EndOffset) return;
        if (!IsPastRetention(nowMs)) return;
        _log.AdvanceStartTo(latest.Offset, effects);
        foreach (OffsetAndEpoch older in _log.Snapshots.Where(id => id.Offset < latest.Offset).ToList()) _log.DeleteSnapshot(older, effects);
    }

    private bool IsPastRetention(long nowMs)
    {
        IReadOnlyList<Log.LogSegmentInfo> segments = _log.Segments();
        if (_config.MetadataMaxRetentionBytes >= 0 && segments.Sum(segment => segment.SizeBytes) > _config.MetadataMaxRetentionBytes) return true;
        return _config.MetadataMaxRetentionMs >= 0 && segments.Count > 0 && segments[0].MaxTimestampMs >= 0
            && segments[0].MaxTimestampMs < nowMs - _config.MetadataMaxRetentionMs;
    }
}
