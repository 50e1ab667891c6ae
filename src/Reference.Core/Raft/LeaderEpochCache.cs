using Reference.Core.Log;

namespace Reference.Core.Raft;

/// <summary>
/// Where each epoch starts in the metadata log (Kafka's <c>LeaderEpochFileCache</c>), as the batches'
/// PartitionLeaderEpoch fields say. The leader answers a follower's fetch from it (is the follower's
/// last fetched epoch one the leader has, and does it end where the follower thinks?), and a follower
/// finds how far to truncate with it (KIP-595, "Fetch"; KIP-101/279 for the partition logs).
/// </summary>
/// <remarks>
/// Bound: one entry per epoch that wrote at least one batch still in the log, so never more entries than
/// batches. Snapshots (KIP-630) will trim it from the front; until then it grows with leader changes.
/// </remarks>
internal sealed class LeaderEpochCache
{
    private readonly List<EpochStartOffset> _entries = [];

    public LeaderEpochCache(IReadOnlyList<EpochStartOffset> entries)
    {
        foreach (EpochStartOffset entry in entries) Assign(entry.Epoch, entry.StartOffset);
    }

    public IReadOnlyList<EpochStartOffset> Entries => _entries;

    /// <summary>The epoch of the last batch in the log, or <see cref="OffsetAndEpoch.NoEpoch"/> when it is empty.</summary>
    public int LatestEpoch => _entries.Count == 0 ? OffsetAndEpoch.NoEpoch : _entries[^1].Epoch;

    /// <summary>Records that a batch of <paramref name="epoch"/> starts at <paramref name="startOffset"/>.</summary>
    public void Assign(int epoch, long startOffset)
    {
        if (epoch < 0) throw new InvalidOperationException($"a batch in the metadata log carries no epoch ({epoch}) at {startOffset}");
        if (_entries.Count > 0)
        {
            EpochStartOffset latest = _entries[^1];
            if (epoch == latest.Epoch) return;
            // Epochs only grow along the log: a leader stamps its own epoch, and a follower only appends
            // what a leader of a newer epoch sends after the older epochs' batches.
            if (epoch < latest.Epoch || startOffset < latest.StartOffset)
                throw new InvalidOperationException($"epoch {epoch} at {startOffset} would follow epoch {latest.Epoch} at {latest.StartOffset}");
        }
        _entries.Add(new EpochStartOffset(epoch, startOffset));
    }

    /// <summary>Forgets the epochs that start at or after <paramref name="endOffset"/>, as a truncation of the log there does.</summary>
    public void TruncateFromEnd(long endOffset)
    {
        int keep = _entries.Count;
        while (keep > 0 && _entries[keep - 1].StartOffset >= endOffset) keep--;
        _entries.RemoveRange(keep, _entries.Count - keep);
    }

    /// <summary>
    /// The end of <paramref name="epoch"/> in this log: the largest epoch at or below it that the log holds,
    /// and the offset where the next epoch starts (the log end for the latest epoch). An epoch older than
    /// every one in the log ends where the first one starts, in no epoch. Kafka's <c>endOffsetFor</c>.
    /// </summary>
    public OffsetAndEpoch EndOffsetFor(int epoch, long logEndOffset)
    {
        int floor = _entries.Count - 1;
        while (floor >= 0 && _entries[floor].Epoch > epoch) floor--;
        if (floor < 0)
            return new OffsetAndEpoch(_entries.Count == 0 ? logEndOffset : _entries[0].StartOffset, OffsetAndEpoch.NoEpoch);
        long endOffset = floor == _entries.Count - 1 ? logEndOffset : _entries[floor + 1].StartOffset;
        return new OffsetAndEpoch(endOffset, _entries[floor].Epoch);
    }
}
