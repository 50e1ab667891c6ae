namespace Reference.Core.Log;

/// <summary>
/// The end of a leader epoch as the leader-epoch cache knows it: the epoch and the offset where the next one
/// starts (-1, -1 when unknown). OffsetForLeaderEpoch answers with it, and a Fetch's diverging epoch is one.
/// </summary>
public readonly record struct LeaderEpochEnd(int Epoch, long EndOffset)
{
    public static readonly LeaderEpochEnd Undefined = new(-1, -1);
}

/// <summary>
/// Where each leader epoch starts in a log, ascending in both epoch and offset (Kafka's
/// <c>LeaderEpochFileCache</c>), for the partition logs and the metadata log alike. It answers "where did
/// epoch E end?" for OffsetForLeaderEpoch and a follower's diverging-epoch check (KIP-101, KIP-279, KIP-595's
/// Fetch). It is rebuilt on start from the batches' PartitionLeaderEpoch fields
/// (<see cref="ILogStorage.LeaderEpochs"/>); an epoch in which a leader wrote nothing is only remembered until
/// a restart, where Kafka would keep it in a checkpoint file.
/// Bounded by the number of leader epochs that wrote to the log, plus one.
/// </summary>
public sealed class LeaderEpochCache
{
    private readonly List<EpochStartOffset> _entries = [];

    public LeaderEpochCache(IEnumerable<EpochStartOffset> entries)
    {
        foreach (EpochStartOffset entry in entries) Assign(entry.Epoch, entry.StartOffset);
    }

    public IReadOnlyList<EpochStartOffset> Entries => _entries;

    /// <summary>The epoch of the last entry, or null when the cache is empty.</summary>
    public int? LatestEpoch => _entries.Count == 0 ? null : _entries[^1].Epoch;

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>. Entries it
    /// contradicts (a later or equal epoch, or a start at or past this one) are dropped first, as Kafka's
    /// <c>assign</c> does, so the list stays strictly ascending in both fields.
    /// </summary>
    public void Assign(int epoch, long startOffset)
    {
        if (epoch < 0 || startOffset < 0) return; // NO_PARTITION_LEADER_EPOCH: a batch no leader stamped.
        if (_entries.Count > 0 && _entries[^1].Epoch == epoch && _entries[^1].StartOffset <= startOffset) return;
        _entries.RemoveAll(entry => entry.Epoch >= epoch || entry.StartOffset >= startOffset);
        _entries.Add(new EpochStartOffset(epoch, startOffset));
        Invariant.Require(IsStrictlyAscending());
    }

    /// <summary>
    /// Kafka's <c>endOffsetFor</c>: the largest epoch at or below <paramref name="requestedEpoch"/> and the
    /// offset where the next epoch starts, or <paramref name="logEndOffset"/> for the latest epoch.
    /// </summary>
    public LeaderEpochEnd EndOffsetFor(int requestedEpoch, long logEndOffset)
    {
        if (requestedEpoch < 0 || _entries.Count == 0) return LeaderEpochEnd.Undefined;
        if (_entries[^1].Epoch == requestedEpoch) return new LeaderEpochEnd(requestedEpoch, logEndOffset);
        int higher = _entries.FindIndex(entry => entry.Epoch > requestedEpoch);
        if (higher < 0) return LeaderEpochEnd.Undefined; // newer than anything written: cannot happen for a leader
        // An epoch older than every entry owns everything before the first entry (Kafka's comment on endOffsetFor).
        int floorEpoch = higher == 0 ? requestedEpoch : _entries[higher - 1].Epoch;
        return new LeaderEpochEnd(floorEpoch, _entries[higher].StartOffset);
    }

    /// <summary>The epoch that wrote <paramref name="offset"/>, or null when the cache knows none.</summary>
    public int? EpochForOffset(long offset)
    {
        int? epoch = null;
        foreach (EpochStartOffset entry in _entries)
        {
            if (entry.StartOffset > offset) break;
            epoch = entry.Epoch;
        }
        return epoch;
    }

    /// <summary>
    /// Forgets the epochs that start at or after <paramref name="endOffset"/>, as a truncation of the log
    /// there does (Kafka's <c>truncateFromEnd</c>); the epoch holding the new end keeps its start.
    /// </summary>
    public void TruncateFromEnd(long endOffset)
    {
        int keep = _entries.FindLastIndex(entry => entry.StartOffset < endOffset) + 1;
        _entries.RemoveRange(keep, _entries.Count - keep);
    }

    /// <summary>
    /// Forgets epochs wholly below a new log start offset, keeping the one that holds it with its start
    /// moved up (Kafka's <c>truncateFromStart</c>), so the first entry never points below the log.
    /// </summary>
    public void TruncateFromStart(long logStartOffset)
    {
        int holding = _entries.FindLastIndex(entry => entry.StartOffset <= logStartOffset);
        if (holding < 0) return;
        EpochStartOffset kept = _entries[holding] with { StartOffset = logStartOffset };
        _entries.RemoveRange(0, holding + 1);
        _entries.Insert(0, kept);
        Invariant.Require(IsStrictlyAscending());
    }

    private bool IsStrictlyAscending()
    {
        for (int i = 1; i < _entries.Count; i++)
            if (_entries[i].Epoch <= _entries[i - 1].Epoch || _entries[i].StartOffset <= _entries[i - 1].StartOffset) return false;
        return true;
    }
}
