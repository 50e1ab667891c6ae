namespace Reference.Core.Raft;

/// <summary>
/// What the leader knows of one replica's log, from its fetches (Kafka's <c>LeaderState.ReplicaState</c>).
/// A voter's fetch offset is durable on the voter (a voter fetches again only after flushing what it
/// appended), so it counts toward the high watermark; the leader's own entry is its flushed end offset.
/// </summary>
internal sealed class ReplicaProgress(int nodeId)
{
    public int NodeId { get; } = nodeId;

    /// <summary>The replica's log end offset, or -1 before its first fetch in this epoch.</summary>
    public long EndOffset { get; private set; } = -1;

    /// <summary>When it last fetched (the shell's clock), or -1.</summary>
    public long LastFetchTimestampMs { get; private set; } = -1;

    /// <summary>The last time it had everything the leader had (the shell's clock), or -1.</summary>
    public long LastCaughtUpTimestampMs { get; private set; } = -1;

    private long _leaderEndOffsetAtLastFetch = -1;

    /// <summary>
    /// A fetch from <paramref name="fetchOffset"/> at <paramref name="nowMs"/>, when the leader's log ended at
    /// <paramref name="leaderEndOffset"/>. Caught up now if it has everything; caught up at its previous
    /// fetch if it now has what the leader had then (Kafka's <c>updateFollowerState</c>).
    /// </summary>
    public void RecordFetch(long fetchOffset, long nowMs, long leaderEndOffset)
    {
        if (fetchOffset >= leaderEndOffset) LastCaughtUpTimestampMs = Math.Max(LastCaughtUpTimestampMs, nowMs);
        else if (_leaderEndOffsetAtLastFetch >= 0 && fetchOffset >= _leaderEndOffsetAtLastFetch)
            LastCaughtUpTimestampMs = Math.Max(LastCaughtUpTimestampMs, LastFetchTimestampMs);
        EndOffset = fetchOffset;
        LastFetchTimestampMs = nowMs;
        _leaderEndOffsetAtLastFetch = leaderEndOffset;
    }

    /// <summary>The leader's own entry: its flushed end, always caught up with itself.</summary>
    public void RecordLocal(long durableEndOffset, long nowMs)
    {
        EndOffset = durableEndOffset;
        LastFetchTimestampMs = nowMs;
        LastCaughtUpTimestampMs = nowMs;
    }
}
