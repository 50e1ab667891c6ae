namespace Reference.Core.Raft;

/// <summary>
/// Has voted in this epoch and knows no leader yet (Kafka 3.x's <c>VotedState</c>; 4.x folds it into
/// Unattached with a voted key). The vote is durable before it was sent, so it holds across restarts.
/// </summary>
internal sealed class VotedState : EpochState
{
    private readonly long _electionDeadlineMs;

    public VotedState(int epoch, int votedId, long electionDeadlineMs) : base(epoch)
    {
        if (votedId < 0) throw new InvalidOperationException($"a vote names a voter, not {votedId}");
        Voted = votedId;
        _electionDeadlineMs = electionDeadlineMs;
    }

    public int Voted { get; }

    public override QuorumStateKind Kind => QuorumStateKind.Voted;

    public override int? VotedId => Voted;

    public override long DeadlineMs => _electionDeadlineMs;

    /// <summary>
    /// Raft §5.2: "each server will vote for at most one candidate in a given term". The same candidate
    /// asking again gets the same answer. A pre-vote binds nothing, so it only needs the log check (KIP-996).
    /// </summary>
    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) =>
        isPreVote ? isLogUpToDate : candidateId == Voted;
}
