namespace Reference.Core.Raft;

/// <summary>
/// Has bumped the epoch and voted for itself, durably, and asks the other voters for their votes (Raft
/// §5.2, Kafka's <c>CandidateState</c>). A majority of grants makes it Leader; when its election timeout
/// fires without one it goes back to Prospective, so the next epoch bump again needs a pre-vote majority.
/// </summary>
internal sealed class CandidateState : EpochState
{
    private readonly int _localId;
    private readonly long _electionDeadlineMs;

    public CandidateState(int epoch, int localId, VoterSet voters, long electionDeadlineMs, long nowMs) : base(epoch)
    {
        _localId = localId;
        _electionDeadlineMs = electionDeadlineMs;
        Election = new EpochElection(voters, localId);
        VoteRequests = new VoterRequestTracker(voters, localId, nowMs);
    }

    public EpochElection Election { get; }

    public VoterRequestTracker VoteRequests { get; }

    public override QuorumStateKind Kind => QuorumStateKind.Candidate;

    public override int? VotedId => _localId;

    public override long DeadlineMs => _electionDeadlineMs;

    /// <summary>It voted for itself in this epoch; a pre-vote for another binds nothing and needs only the log check.</summary>
    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) =>
        isPreVote ? isLogUpToDate : candidateId == _localId;
}
