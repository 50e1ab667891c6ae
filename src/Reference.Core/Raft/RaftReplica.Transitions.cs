using Reference.Core.Node;

namespace Reference.Core.Raft;

/// <summary>The replica's side of each move: <see cref="QuorumState"/> makes the move and persists it, then the state's work starts here.</summary>
public sealed partial class RaftReplica
{
    private void BecomeUnattached(int epoch, long nowMs, Effects effects)
    {
        EpochState previous = _quorum.Current;
        _quorum.TransitionToUnattached(epoch, nowMs, effects);
        EnterState(previous, nowMs, effects);
    }

    private void BecomeVoted(int epoch, int candidateId, long nowMs, Effects effects)
    {
        EpochState previous = _quorum.Current;
        _quorum.TransitionToVoted(epoch, candidateId, nowMs, effects);
        EnterState(previous, nowMs, effects);
    }

    /// <summary>KIP-996: ask for pre-votes; a sole voter has its majority at once and goes on to stand.</summary>
    private void BecomeProspective(long nowMs, Effects effects)
    {
        EpochState previous = _quorum.Current;
        ProspectiveState prospective = _quorum.TransitionToProspective(nowMs, effects);
        EnterState(previous, nowMs, effects);
        if (prospective.Election.IsWon) BecomeCandidate(nowMs, effects);
    }

    /// <summary>Bump the epoch and vote for itself (persisted before any Vote request leaves), then ask for votes.</summary>
    private void BecomeCandidate(long nowMs, Effects effects)
    {
        EpochState previous = _quorum.Current;
        CandidateState candidate = _quorum.TransitionToCandidate(nowMs, effects);
        EnterState(previous, nowMs, effects);
        if (candidate.Election.IsWon) BecomeLeader(nowMs, effects);
    }

    /// <summary>
    /// Take the epoch: persist the leadership, write the LeaderChange record at the log end as the epoch's
    /// first batch (KIP-595; it is also the entry of this epoch the high watermark must pass, Raft §5.4.2),
    /// then announce the epoch to the other voters.
    /// </summary>
    private void BecomeLeader(long nowMs, Effects effects)
    {
        EpochState previous = _quorum.Current;
        LeaderState leader = _quorum.TransitionToLeader(_log.EndOffset, nowMs, effects);
        leader.RecordLocalFlush(_log.DurableEndOffset, nowMs);
        AppendLeaderChange(leader, nowMs, effects);
        EnterState(previous, nowMs, effects);
    }

    private void BecomeResigned(IReadOnlyList<int> preferredSuccessors, long nowMs, Effects effects)
    {
        EpochState previous = _quorum.Current;
        _quorum.TransitionToResigned(preferredSuccessors, nowMs, effects);
        EnterState(previous, nowMs, effects);
    }

    private void BecomeFollower(int epoch, int leaderId, long nowMs, Effects effects)
    {
        EpochState previous = _quorum.Current;
        _quorum.TransitionToFollower(epoch, leaderId, nowMs, effects);
        EnterState(previous, nowMs, effects);
    }

    /// <summary>
    /// Kafka's rule when a pre-vote fails or times out: back to the leader it knew, else to the vote it cast,
    /// else unattached; each waits out a fresh timeout before the next try. A replica that led this epoch
    /// goes back to Resigned: "voted for itself" would read, after a restart, as a candidacy to resume in an
    /// epoch it already won (see <see cref="ProspectiveState.LedThisEpoch"/>).
    /// </summary>
    private void OnPreVoteLost(long nowMs, Effects effects)
    {
        if (_quorum.Current is not ProspectiveState prospective) throw new InvalidOperationException($"{_quorum.Current} held no pre-vote");
        if (prospective.LedThisEpoch) BecomeResigned(_quorum.Voters.Ids.Where(id => id != NodeId).ToList(), nowMs, effects);
        else if (prospective.LeaderId is int leader) BecomeFollower(Epoch, leader, nowMs, effects);
        else if (prospective.VotedId is int voted) BecomeVoted(Epoch, voted, nowMs, effects);
        else BecomeUnattached(Epoch, nowMs, effects);
    }

    /// <summary>
    /// Learns of a newer epoch, or of the leader of this one, from any answer or request that names them
    /// (Kafka's <c>maybeHandleCommonResponse</c>). Returns true when it moved to another state.
    /// </summary>
    private bool MaybeFollowNewerLeader(int leaderIdOrNone, int epoch, long nowMs, Effects effects)
    {
        int? leader = leaderIdOrNone >= 0 && leaderIdOrNone != NodeId && _quorum.Voters.Contains(leaderIdOrNone) ? leaderIdOrNone : null;
        if (epoch > Epoch)
        {
            if (leader is int newLeader) BecomeFollower(epoch, newLeader, nowMs, effects);
            else BecomeUnattached(epoch, nowMs, effects);
            return true;
        }
        // Only a leader this replica does not know yet is news. A prospective that kept its old leader hears
        // that leader's name from voters who kept it too, which says nothing about whether it lives.
        bool electing = _quorum.Current is UnattachedState or VotedState or ProspectiveState or CandidateState;
        if (epoch < Epoch || leader is null || !electing || _quorum.Current.LeaderId is not null) return false;
        BecomeFollower(epoch, leader.Value, nowMs, effects);
        return true;
    }

    /// <summary>Starts the work of the state just entered; the requests and held fetches of the last one are done with.</summary>
    private void EnterState(EpochState? previous, long nowMs, Effects effects)
    {
        _pending.Clear();
        _nextFetchAtMs = long.MaxValue;
        // The held fetches get their answer from the new state: an error naming the leader to go to.
        if (previous is LeaderState) AnswerAllParkedFetches(nowMs, effects);
        if (_quorum.Current is FollowerState || (_quorum.Current is UnattachedState && !IsVoter))
        {
            _nextFetchAtMs = nowMs;
            MaybeSendFetch(nowMs, effects);
        }
        else SendDueVoterRequests(nowMs, effects);
    }

    /// <summary>Sends what the state owes each voter now: pre-votes, votes, BeginQuorumEpoch or EndQuorumEpoch.</summary>
    private void SendDueVoterRequests(long nowMs, Effects effects)
    {
        switch (_quorum.Current)
        {
            case ProspectiveState prospective:
                foreach (int voterId in prospective.PreVoteRequests.TakeDue(nowMs)) SendVoteRequest(voterId, preVote: true, nowMs, effects);
                break;
            case CandidateState candidate:
                foreach (int voterId in candidate.VoteRequests.TakeDue(nowMs)) SendVoteRequest(voterId, preVote: false, nowMs, effects);
                break;
            case LeaderState leader:
                foreach (int voterId in leader.BeginQuorumEpochRequests.TakeDue(nowMs)) SendBeginQuorumEpoch(voterId, nowMs, effects);
                break;
            case ResignedState resigned:
                foreach (int voterId in resigned.EndQuorumEpochRequests.TakeDue(nowMs)) SendEndQuorumEpoch(voterId, resigned, nowMs, effects);
                break;
        }
    }
}
