namespace Reference.Core.Replication;

/// <summary>
/// What a partition leader knows of one follower (Kafka's <c>Replica</c> and <c>ReplicaState</c>), learnt
/// from its Fetch requests: its log end and start, and when it was last caught up, which decides whether it
/// stays in the ISR (replica.lag.time.max.ms).
/// </summary>
public sealed class FollowerReplica(int brokerId)
{
    /// <summary>Kafka's <c>UnifiedLog.UnknownOffset</c>: nothing heard since this node became leader.</summary>
    public const long UnknownOffset = -1;

    /// <summary>
    /// A time before any clock reading, for "never fetched" and "never caught up". Kafka uses 0, which works
    /// on a wall clock; our clocks may be virtual and start at 0, where 0 would read as "just now" and let a
    /// replica outside the ISR hold the HW back or look caught up. Halved so subtracting it cannot overflow.
    /// </summary>
    public const long NeverMs = long.MinValue / 2;

    public int BrokerId { get; } = brokerId;

    public long LogEndOffset { get; private set; } = UnknownOffset;

    public long LogStartOffset { get; private set; } = UnknownOffset;

    /// <summary>The leader's log end when this follower last fetched.</summary>
    public long LastFetchLeaderLogEndOffset { get; private set; } = UnknownOffset;

    public long LastFetchTimeMs { get; private set; } = NeverMs;

    public long LastCaughtUpTimeMs { get; private set; } = NeverMs;

    /// <summary>The broker epoch the follower fetched with (Fetch v15+), -1 when unknown; AlterPartition v3 sends it (KIP-903).</summary>
    public long BrokerEpoch { get; private set; } = -1;

    /// <summary>
    /// Records a fetch at <paramref name="fetchOffset"/>. The follower counts as caught up at this fetch if
    /// it asked for the leader's end, or as of its previous fetch if it has now read past what the leader
    /// had then (Kafka's <c>Replica.updateFetchStateOrThrow</c>), so a follower that keeps pace under steady
    /// appends is not dropped from the ISR for never quite reaching a moving end.
    /// </summary>
    public void UpdateFetchState(long fetchOffset, long followerLogStartOffset, long fetchTimeMs, long leaderEndOffset, long brokerEpoch)
    {
        if (fetchOffset >= leaderEndOffset) LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, fetchTimeMs);
        else if (fetchOffset >= LastFetchLeaderLogEndOffset) LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, LastFetchTimeMs);
        LogStartOffset = followerLogStartOffset;
        LogEndOffset = fetchOffset;
        LastFetchLeaderLogEndOffset = Math.Max(leaderEndOffset, LastFetchLeaderLogEndOffset);
        LastFetchTimeMs = fetchTimeMs;
        BrokerEpoch = brokerEpoch;
    }

    /// <summary>
    /// On a new leader epoch (Kafka's <c>resetReplicaState</c>): an ISR member gets a fresh lag allowance
    /// from now, anyone else none, so it cannot hold the HW back; a new leader forgets the old positions.
    /// </summary>
    public void Reset(long nowMs, long leaderEndOffset, bool isNewLeader, bool isInSync)
    {
        LastCaughtUpTimeMs = isInSync ? nowMs : NeverMs;
        if (isNewLeader)
        {
            LogEndOffset = UnknownOffset;
            LogStartOffset = UnknownOffset;
            LastFetchLeaderLogEndOffset = UnknownOffset;
            LastFetchTimeMs = NeverMs;
            BrokerEpoch = -1;
            return;
        }
        LastFetchLeaderLogEndOffset = leaderEndOffset;
        LastFetchTimeMs = isInSync ? nowMs : NeverMs;
    }

    /// <summary>At the leader's end, or caught up within the last <paramref name="replicaLagTimeMaxMs"/>.</summary>
    public bool IsCaughtUp(long leaderEndOffset, long nowMs, long replicaLagTimeMaxMs) =>
        LogEndOffset == leaderEndOffset || nowMs - LastCaughtUpTimeMs <= replicaLagTimeMaxMs;
}
