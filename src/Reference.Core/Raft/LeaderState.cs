namespace Reference.Core.Raft;

/// <summary>
/// Won this epoch's election (Kafka's <c>LeaderState</c>). Tracks every voter's and observer's progress from
/// their fetches, computes the high watermark from the voters', announces the epoch with BeginQuorumEpoch
/// until each voter has acknowledged it (or fetched in it), and watches that a majority keeps fetching
/// (check-quorum), so a leader cut off from the quorum stops believing it leads.
/// </summary>
internal sealed class LeaderState : EpochState
{
    private readonly int _localId;
    private readonly VoterSet _voters;
    private readonly long _checkQuorumTimeoutMs;
    private readonly SortedDictionary<int, ReplicaProgress> _voterProgress = new();
    private readonly SortedDictionary<int, ReplicaProgress> _observerProgress = new();
    private readonly SortedSet<int> _votersFetchedSinceCheck = [];

    public LeaderState(int epoch, int localId, VoterSet voters, long epochStartOffset, IReadOnlyCollection<int> grantingVoters,
        long fetchTimeoutMs, long nowMs) : base(epoch)
    {
        if (!voters.Contains(localId)) throw new InvalidOperationException($"observer {localId} cannot lead");
        if (grantingVoters.Count < voters.MajoritySize) throw new InvalidOperationException($"a leader needs a majority, got {grantingVoters.Count} votes");
        _localId = localId;
        _voters = voters;
        EpochStartOffset = epochStartOffset;
        GrantingVoters = grantingVoters.ToList();
        foreach (int voterId in voters.Ids) _voterProgress[voterId] = new ReplicaProgress(voterId);
        BeginQuorumEpochRequests = new VoterRequestTracker(voters, localId, nowMs);
        _checkQuorumTimeoutMs = fetchTimeoutMs * RaftLimits.CheckQuorumTimeoutPercent / 100;
        CheckQuorumDeadlineMs = voters.Count == 1 ? long.MaxValue : nowMs + _checkQuorumTimeoutMs;
    }

    /// <summary>Where this epoch's first batch (the LeaderChange record) starts.</summary>
    public long EpochStartOffset { get; }

    public IReadOnlyList<int> GrantingVoters { get; }

    public VoterRequestTracker BeginQuorumEpochRequests { get; }

    /// <summary>Voters in id order, this leader included.</summary>
    public IEnumerable<ReplicaProgress> VoterProgress => _voterProgress.Values;

    /// <summary>Observers in id order; at most <see cref="RaftLimits.ObserverCountMax"/>.</summary>
    public IEnumerable<ReplicaProgress> ObserverProgress => _observerProgress.Values;

    public long CheckQuorumDeadlineMs { get; private set; }

    public override QuorumStateKind Kind => QuorumStateKind.Leader;

    public override int? LeaderId => _localId;

    public override int? VotedId => _localId;

    public override long DeadlineMs => CheckQuorumDeadlineMs;

    /// <summary>A leader votes for no one: its epoch has a leader, itself.</summary>
    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) => false;

    /// <summary>
    /// A voter fetched in this epoch, whatever its log: it knows the epoch (Kafka's <c>addAcknowledgementFrom</c>,
    /// so no more BeginQuorumEpoch) and it reaches this leader (check-quorum), even while it still truncates.
    /// </summary>
    public void RecordVoterContact(int voterId, long nowMs)
    {
        if (voterId == _localId || !_voters.Contains(voterId)) throw new InvalidOperationException($"{voterId} is not another voter");
        BeginQuorumEpochRequests.Answered(voterId);
        _votersFetchedSinceCheck.Add(voterId);
        if (_votersFetchedSinceCheck.Count + 1 < _voters.MajoritySize) return;
        _votersFetchedSinceCheck.Clear();
        CheckQuorumDeadlineMs = nowMs + _checkQuorumTimeoutMs;
    }

    /// <summary>
    /// A fetch from another replica at <paramref name="fetchOffset"/> that matched this leader's log;
    /// <paramref name="asVoter"/> when its replica key is a voter's (a listed id on another disk is an observer).
    /// </summary>
    public void RecordFetch(int replicaId, bool asVoter, long fetchOffset, long nowMs, long leaderEndOffset)
    {
        if (replicaId == _localId) throw new InvalidOperationException("a leader does not fetch from itself");
        if (asVoter && !_voters.Contains(replicaId)) throw new InvalidOperationException($"{replicaId} fetched as a voter but is not listed");
        if (asVoter) _voterProgress[replicaId].RecordFetch(fetchOffset, nowMs, leaderEndOffset);
        else RecordObserverFetch(replicaId, fetchOffset, nowMs, leaderEndOffset);
    }

    /// <summary>The leader's own log is durable up to <paramref name="durableEndOffset"/>.</summary>
    public void RecordLocalFlush(long durableEndOffset, long nowMs) => _voterProgress[_localId].RecordLocal(durableEndOffset, nowMs);

    /// <summary>
    /// The offset a majority of voters hold durably, when that includes an entry of this epoch; else null.
    /// Raft §5.4.2: "only log entries from the leader's current term are committed by counting replicas";
    /// Figure 8 shows an older entry on a majority being overwritten. The epoch's LeaderChange record at
    /// <see cref="EpochStartOffset"/> is the first entry that can commit, and it commits everything before it.
    /// <paramref name="countPriorEpochs"/> is the museum's Figure 8 flaw (<see cref="Node.ReintroducedBugs.CommitPriorEpochByCounting"/>):
    /// any majority offset, of whatever epoch.
    /// </summary>
    public long? HighWatermarkCandidate(bool countPriorEpochs)
    {
        long majorityOffset = _voters.MajorityOffset(id => _voterProgress[id].EndOffset);
        return majorityOffset > EpochStartOffset || countPriorEpochs ? majorityOffset : null;
    }

    /// <summary>The other voters, those holding the most of the log first, then by id (EndQuorumEpoch's order).</summary>
    public IReadOnlyList<int> PreferredSuccessors() => _voterProgress.Values
        .Where(progress => progress.NodeId != _localId)
        .OrderByDescending(progress => progress.EndOffset)
        .ThenBy(progress => progress.NodeId)
        .Select(progress => progress.NodeId)
        .ToList();

    private void RecordObserverFetch(int observerId, long fetchOffset, long nowMs, long leaderEndOffset)
    {
        if (!_observerProgress.TryGetValue(observerId, out ReplicaProgress? progress))
        {
            ForgetQuietObservers(nowMs);
            _observerProgress[observerId] = progress = new ReplicaProgress(observerId);
        }
        progress.RecordFetch(fetchOffset, nowMs, leaderEndOffset);
    }

    /// <summary>Drops observers silent for a session timeout, then the quietest until there is room for one more.</summary>
    private void ForgetQuietObservers(long nowMs)
    {
        foreach (int quiet in _observerProgress.Values
                     .Where(p => nowMs - p.LastFetchTimestampMs > RaftLimits.ObserverSessionTimeoutMs)
                     .Select(p => p.NodeId).ToList())
            _observerProgress.Remove(quiet);
        while (_observerProgress.Count >= RaftLimits.ObserverCountMax)
            _observerProgress.Remove(_observerProgress.Values.MinBy(p => p.LastFetchTimestampMs)!.NodeId);
    }
}
