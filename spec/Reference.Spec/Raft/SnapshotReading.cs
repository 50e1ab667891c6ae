using Reference.Core.Raft;

namespace Reference.Spec.Raft;

/// <summary>
/// One running node's KIP-630 state, as the snapshot monitors read it: its metadata log's start, the durable
/// snapshots its replica holds, how many it installed from a leader, and what its state machine (the image
/// behind the quorum controller) loaded since it last claimed leadership.
/// </summary>
/// <param name="Snapshots">The durable, intact snapshots the replica holds, by end offset ascending.</param>
/// <param name="SnapshotsInstalled">Snapshots fetched with FetchSnapshot and installed by this incarnation.</param>
/// <param name="IsWritable">The node's quorum controller is active (Kafka's <c>ReplicatedCounter.isWritable</c>).</param>
/// <param name="SnapshotLoadsSinceClaim">Snapshots loaded since the last leader change or claim (Kafka's <c>handleLoadSnapshotCalls</c>).</param>
public sealed record SnapshotReading(long LogStartOffset, long LogEndOffset, IReadOnlyList<OffsetAndEpoch> Snapshots, int SnapshotsInstalled,
    bool IsWritable, int SnapshotLoadsSinceClaim)
{
    public OffsetAndEpoch? EarliestSnapshot => Snapshots.Count > 0 ? Snapshots[0] : null;

    public static SnapshotReading Of(Core.Node.Node node) => new(node.Raft.LogStartOffset, node.Raft.LogEndOffset, node.Raft.SnapshotIds,
        node.Raft.SnapshotsInstalled, node.IsActiveController, node.SnapshotLoadsSinceClaim);
}
