using Reference.Core.Raft;

namespace Reference.Spec.Raft;

/// <summary>
/// One running node's KIP-630 state, as the snapshot monitors read it: its metadata log's start, the durable
/// snapshots its replica holds, how many it installed from a leader, and what its state machine (the image
/// behind the quorum controller) loaded since it last claimed leadership.
/// </summary>
/// <param name="Snapshots">
/// The durable, intact snapshots the replica holds, by end offset ascending: a copy, since the replica's own list
/// changes in place, and compared by content (a reading is a value, see RaftObservation.Of).
/// </param>
/// <param name="SnapshotsInstalled">Snapshots fetched with FetchSnapshot and installed by this incarnation.</param>
/// <param name="IsWritable">The node's quorum controller is active (Kafka's <c>ReplicatedCounter.isWritable</c>).</param>
/// <param name="SnapshotLoadsSinceClaim">Snapshots loaded since the last leader change or claim (Kafka's <c>handleLoadSnapshotCalls</c>).</param>
public sealed record SnapshotReading(long LogStartOffset, long LogEndOffset, IReadOnlyList<OffsetAndEpoch> Snapshots, int SnapshotsInstalled,
    bool IsWritable, int SnapshotLoadsSinceClaim)
{
    public OffsetAndEpoch? EarliestSnapshot => Snapshots.Count > 0 ? Snapshots[0] : null;

    /// <summary>Reads the node; <paramref name="last"/> itself when the read gives what it holds (see RaftNodeReading.Of).</summary>
    public static SnapshotReading Of(Core.Node.Node node, SnapshotReading? last = null)
    {
        RaftReplica raft = node.Raft;
        if (last is not null && last.LogStartOffset == raft.LogStartOffset && last.LogEndOffset == raft.LogEndOffset && SameIds(last.Snapshots, raft.SnapshotIds)
            && last.SnapshotsInstalled == raft.SnapshotsInstalled && last.IsWritable == node.IsActiveController && last.SnapshotLoadsSinceClaim == node.SnapshotLoadsSinceClaim)
            return last;
        return new(raft.LogStartOffset, raft.LogEndOffset, raft.SnapshotIds.Count == 0 ? [] : raft.SnapshotIds.ToArray(), raft.SnapshotsInstalled,
            node.IsActiveController, node.SnapshotLoadsSinceClaim);
    }

    /// <summary>Field by field, the snapshot ids by content (ReadingEqualityTests fails when a field is added and not compared here).</summary>
    public bool Equals(SnapshotReading? other) =>
        other is not null && LogStartOffset == other.LogStartOffset && LogEndOffset == other.LogEndOffset && SnapshotsInstalled == other.SnapshotsInstalled
        && IsWritable == other.IsWritable && SnapshotLoadsSinceClaim == other.SnapshotLoadsSinceClaim && SameIds(Snapshots, other.Snapshots);

    /// <summary>A loop, not LINQ's SequenceEqual: it runs for the stepped node after every event, and the lists are short (usually empty).</summary>
    private static bool SameIds(IReadOnlyList<OffsetAndEpoch> ids, IReadOnlyList<OffsetAndEpoch> others)
    {
        if (ids.Count != others.Count) return false;
        for (int i = 0; i < ids.Count; i++)
            if (ids[i] != others[i]) return false;
        return true;
    }

    public override int GetHashCode() => HashCode.Combine(LogStartOffset, LogEndOffset, Snapshots.Count, SnapshotsInstalled, IsWritable, SnapshotLoadsSinceClaim);
}
