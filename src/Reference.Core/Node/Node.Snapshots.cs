using Reference.Core.Controller;
using Reference.Core.Metadata;
using Reference.Core.Raft;

namespace Reference.Core.Node;

/// <summary>
/// Snapshots of the metadata image (KIP-630), the node's side: every node, controller or broker, writes a
/// snapshot of the image it applied when enough committed bytes or enough time have gone by since its last
/// one (Kafka's <c>SnapshotGenerator</c> under <c>metadata.log.max.record.bytes.between.snapshots</c> and
/// <c>metadata.log.max.snapshot.interval.ms</c>), and loads the Raft replica's latest snapshot whenever it is
/// ahead of the image: at start, and after the replica installed one fetched from the leader.
/// </summary>
public sealed partial class Node
{
    private long _appliedBytesAtLastSnapshot;
    private long _lastSnapshotAtMs;
    private bool _controllerWasActive;

    /// <summary>
    /// Snapshots loaded into the image since the last leadership change or controller activation (Kafka's
    /// <c>ReplicatedCounter.handleLoadSnapshotCalls</c>, which its handleLeaderChange resets). An active
    /// controller must never see this above zero: it writes the log it would load from.
    /// </summary>
    public int SnapshotLoadsSinceClaim { get; private set; }

    /// <summary>Snapshots loaded into the image since this node started.</summary>
    public int SnapshotLoads { get; private set; }

    /// <summary>Whether this node's quorum controller is active: it may write metadata records (Kafka's "writable").</summary>
    public bool IsActiveController => _controller?.State == ControllerState.Active;

    /// <summary>
    /// Loads the replica's latest snapshot when it is ahead of the image. A snapshot the replica holds was read
    /// back intact (CRC and framing) before it counted, so one that fails to load now is a broken invariant.
    /// </summary>
    private bool LoadNewerSnapshot(long now)
    {
        if (_raft.LatestSnapshotId is not { } snapshotId || snapshotId.Offset - 1 <= _metadata.LastAppliedOffset) return false;
        MetadataSnapshotLoad load = MetadataSnapshot.Read(_raft.ReadSnapshot(snapshotId), snapshotId);
        if (!load.IsValid) throw new InvalidOperationException($"node {_config.NodeId} cannot load snapshot {snapshotId}: {load.Error}");
        _metadata.LoadSnapshot(load.Image!, snapshotId.Epoch);
        _appliedBytesAtLastSnapshot = _metadata.AppliedBytes;
        _lastSnapshotAtMs = now;
        SnapshotLoads++;
        SnapshotLoadsSinceClaim++;
        PublishImage(now);
        return true;
    }

    /// <summary>
    /// Writes a snapshot of the applied image once <see cref="NodeConfig.MetadataSnapshotMaxNewRecordBytes"/> of
    /// committed batches were applied since the last one, or <see cref="NodeConfig.MetadataSnapshotMaxIntervalMs"/>
    /// went by with something new applied. The snapshot ends where the image does, in the epoch of the last batch
    /// the image applied, as Kafka's <c>OffsetAndEpoch</c> snapshot id.
    /// </summary>
    private void MaybeWriteSnapshot(long now)
    {
        MetadataImage image = _metadata.Image;
        long newBytes = _metadata.AppliedBytes - _appliedBytesAtLastSnapshot;
        if (image.Offset < 0 || _metadata.LastAppliedEpoch < 0 || newBytes <= 0) return;
        if (_raft.LatestSnapshotId is { } latest && latest.Offset > image.Offset) return;
        bool byBytes = newBytes >= _config.MetadataSnapshotMaxNewRecordBytes;
        bool byTime = _config.MetadataSnapshotMaxIntervalMs > 0 && now - _lastSnapshotAtMs >= _config.MetadataSnapshotMaxIntervalMs;
        if (!byBytes && !byTime) return;
        var snapshotId = new OffsetAndEpoch(image.Offset + 1, _metadata.LastAppliedEpoch);
        byte[] snapshot = MetadataSnapshot.Write(image, snapshotId, _metadata.LastAppliedTimestampMs);
        if (!_raft.TryCreateSnapshot(snapshotId, snapshot, _effects)) return;
        _appliedBytesAtLastSnapshot = _metadata.AppliedBytes;
        _lastSnapshotAtMs = now;
    }

    /// <summary>Kafka resets the load count on every leader change it tells the state machine of; the claim is the controller's activation.</summary>
    private void NoteControllerClaim()
    {
        bool active = IsActiveController;
        if (active && !_controllerWasActive) SnapshotLoadsSinceClaim = 0;
        _controllerWasActive = active;
    }
}
