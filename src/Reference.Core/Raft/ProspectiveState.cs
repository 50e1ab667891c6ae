namespace Reference.Core.Raft;

/// <summary>
/// KIP-996's pre-vote phase: a voter whose election or fetch timeout fired asks the others whether they
/// would vote for it, without bumping the epoch. Only a majority of grants lets it become a Candidate, so a
/// voter that cannot win (partitioned away, or behind) no longer forces an epoch bump on a healthy quorum.
/// It keeps the leader and the vote it had in this epoch: the vote still binds it, and if its pre-vote fails
/// it goes back to following that leader.
/// </summary>
internal sealed class ProspectiveState : EpochState
{
    private readonly int? _retainedLeaderId;
    private readonly int? _retainedVotedId;
    private readonly long _electionDeadlineMs;

    private readonly int _localId;

    /// <param name="ledThisEpoch">
    /// It led this epoch and resigned. The state file keeps naming it the epoch's leader, so a restart
    /// resigns again; were it to say only "voted for itself", a restart would resume a candidacy in an epoch
    /// this replica already led, win it again with the same votes, and write a second, different log in one
    /// epoch (Raft's Election Safety and Log Matching broken; found by RaftProperties' random schedules).
    /// </param>
    public ProspectiveState(int epoch, int localId, VoterSet voters, int? retainedLeaderId, int? retainedVotedId,
        long electionDeadlineMs, long nowMs, bool ledThisEpoch = false) : base(epoch)
    {
        if (retainedLeaderId == localId) throw new InvalidOperationException("a prospective cannot follow itself");
        if (ledThisEpoch && retainedVotedId != localId) throw new InvalidOperationException("a leader voted for itself in its epoch");
        _localId = localId;
        LedThisEpoch = ledThisEpoch;
        _retainedLeaderId = retainedLeaderId;
        _retainedVotedId = retainedVotedId;
        _electionDeadlineMs = electionDeadlineMs;
        Election = new EpochElection(voters, localId);
        PreVoteRequests = new VoterRequestTracker(voters, localId, nowMs);
    }

    public EpochElection Election { get; }

    public VoterRequestTracker PreVoteRequests { get; }

    public override QuorumStateKind Kind => QuorumStateKind.Prospective;

    public override int? LeaderId => _retainedLeaderId;

    public override int? VotedId => _retainedVotedId;

    /// <summary>It led this epoch (it came from Resigned): a lost pre-vote takes it back to Resigned, not to Voted.</summary>
    public bool LedThisEpoch { get; }

    protected override int? PersistedLeaderId => LedThisEpoch ? _localId : _retainedLeaderId;

    public override long DeadlineMs => _electionDeadlineMs;

    /// <summary>
    /// A pre-vote is granted on the log check alone (KIP-996). A real vote in this epoch is bound by the vote
    /// it kept, and refused while it still counts a leader of this epoch, as a follower would.
    /// </summary>
    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote)
    {
        if (isPreVote) return isLogUpToDate;
        if (_retainedVotedId is int voted) return voted == candidateId;
        return _retainedLeaderId is null && isLogUpToDate;
    }
}
