namespace Reference.Core.Raft;

/// <summary>
/// Knows an epoch but neither its leader nor a vote in it (Kafka's <c>UnattachedState</c>). A voter waits
/// out a randomized election timeout and then becomes Prospective; an observer, which never stands, keeps
/// asking voters who leads instead (so it has no election timeout).
/// </summary>
internal sealed class UnattachedState(int epoch, long electionDeadlineMs) : EpochState(epoch)
{
    public override QuorumStateKind Kind => QuorumStateKind.Unattached;

    public override long DeadlineMs => electionDeadlineMs;

    /// <summary>Nothing binds it in this epoch: any candidate at least as up to date gets the vote.</summary>
    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) => isLogUpToDate;
}
