namespace Reference.Core.Raft;

/// <summary>
/// Knows the epoch's leader and replicates from it by fetching (Kafka's <c>FollowerState</c>). Its fetch
/// timer restarts with every successful fetch; when it fires, a voter becomes Prospective and an observer
/// Unattached (KIP-595: "If a follower does not receive a successful Fetch response within fetch.timeout.ms
/// it will become a candidate").
/// </summary>
internal sealed class FollowerState : EpochState
{
    private readonly int _leaderId;
    private readonly int? _votedId;
    private readonly long _fetchTimeoutMs;

    public FollowerState(int epoch, int leaderId, int? votedId, long fetchTimeoutMs, long nowMs) : base(epoch)
    {
        if (leaderId < 0) throw new InvalidOperationException($"a follower follows a node, not {leaderId}");
        _leaderId = leaderId;
        _votedId = votedId;
        _fetchTimeoutMs = fetchTimeoutMs;
        FetchDeadlineMs = nowMs + fetchTimeoutMs;
    }

    public int Leader => _leaderId;

    public override QuorumStateKind Kind => QuorumStateKind.Follower;

    public override int? LeaderId => _leaderId;

    /// <summary>A vote cast in this epoch before the leader was known still binds, so it is kept and persisted.</summary>
    public override int? VotedId => _votedId;

    public long FetchDeadlineMs { get; private set; }

    public override long DeadlineMs => FetchDeadlineMs;

    /// <summary>Whether a fetch from the leader has succeeded since this replica started following it.</summary>
    public bool HasFetchedFromLeader { get; private set; }

    /// <summary>
    /// The snapshot this follower is downloading from the leader (KIP-630), if the leader's answer to a Fetch
    /// named one. It belongs to this leader and epoch: a new state starts without it, as Kafka's does.
    /// </summary>
    public SnapshotFetcher? FetchingSnapshot { get; set; }

    /// <summary>The leader said, with EndQuorumEpoch, that it is stepping down.</summary>
    public bool HasLeaderResigned { get; private set; }

    public void OnFetchSucceeded(long nowMs)
    {
        HasFetchedFromLeader = true;
        FetchDeadlineMs = nowMs + _fetchTimeoutMs;
    }

    /// <summary>The leader resigned: stop waiting for it after <paramref name="delayMs"/> at the latest.</summary>
    public void OnLeaderResigned(long nowMs, long delayMs)
    {
        HasLeaderResigned = true;
        FetchDeadlineMs = Math.Min(FetchDeadlineMs, nowMs + delayMs);
    }

    /// <summary>
    /// Never a real vote: the epoch has a leader. A pre-vote only while this follower has no evidence that
    /// the leader lives: it has not fetched from it since it began following, or the leader resigned. The
    /// first condition is the KIP-996 fix from KAFKA-17641's work: a follower that only learned of a leader
    /// from someone else's answer must not block an election the leader's death calls for, or two voters
    /// can hand a dead leader back and forth forever. A follower whose fetches still succeed refuses, which
    /// is what keeps a disconnected voter from unseating a live leader.
    /// </summary>
    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) =>
        isPreVote && (!HasFetchedFromLeader || HasLeaderResigned) && isLogUpToDate;
}
