namespace Reference.Core.Raft;

/// <summary>
/// The bounds of the KRaft replica that are not configuration: each queue, buffer and batch has one here,
/// with Kafka's value where Kafka has one (<c>KafkaRaftClient</c>, <c>QuorumConfig</c>).
/// </summary>
public static class RaftLimits
{
    /// <summary>
    /// How long a follower asks the leader to hold a fetch that finds no new data (Kafka's
    /// <c>MAX_FETCH_WAIT_MS</c>). Well under the fetch timeout, so an idle but healthy leader answers a
    /// follower several times before the follower would give up on it.
    /// </summary>
    public const int FetchWaitMsMax = 500;

    /// <summary>The most bytes of batches a fetch asks for and a leader returns (Kafka's <c>MAX_FETCH_SIZE_BYTES</c>).</summary>
    public const int FetchBytesMax = 8 * 1024 * 1024;

    /// <summary>The largest batch the leader writes for one proposal and a follower accepts (Kafka's <c>MAX_BATCH_SIZE_BYTES</c>).</summary>
    public const int BatchSizeBytesMax = 8 * 1024 * 1024;

    /// <summary>
    /// Observers the leader keeps progress for (DescribeQuorum shows them). A cluster has one per broker;
    /// beyond this the one that fetched longest ago is forgotten, so a storm of replica ids cannot grow the map.
    /// </summary>
    public const int ObserverCountMax = 256;

    /// <summary>Observers that have not fetched for this long are dropped (Kafka's <c>OBSERVER_SESSION_TIMEOUT_MS</c>).</summary>
    public const long ObserverSessionTimeoutMs = 300_000;

    /// <summary>
    /// Fetches the leader holds at once for long polling: one per replica is all a healthy cluster needs;
    /// past this a fetch is answered at once, empty, rather than held.
    /// </summary>
    public const int ParkedFetchCountMax = ObserverCountMax + 16;

    /// <summary>
    /// Requests this replica has in flight. At most one per voter and purpose (a vote, a BeginQuorumEpoch,
    /// an EndQuorumEpoch) plus one fetch, so this only catches a bug that would leak them.
    /// </summary>
    public const int PendingRequestCountMax = 1024;

    /// <summary>
    /// Kafka's <c>LeaderState.CHECK_QUORUM_TIMEOUT_FACTOR</c>: the leader resigns when a majority has not
    /// fetched within 1.5 fetch timeouts, so that followers, which give up after one, act first.
    /// </summary>
    public const int CheckQuorumTimeoutPercent = 150;
}
