using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Raft;

/// <summary>Votes and pre-votes: granting them (the voter's side) and counting them (the prospective's and candidate's).</summary>
public sealed partial class RaftReplica
{
    /// <summary>
    /// A Vote request (KIP-595), or with v2's PreVote a pre-vote (KIP-996). A higher epoch moves this replica
    /// to it first, unattached; then the state decides (<see cref="EpochState.CanGrantVote"/>). A granted vote
    /// is persisted, and the persist effect comes before the response in the effects: a vote is never
    /// promised before it is durable, so a restart cannot vote twice in one epoch (Raft §5.2, Figure 2's
    /// "updated on stable storage before responding to RPCs"). A pre-vote changes and persists nothing.
    /// </summary>
    public void HandleVote(RequestContext context, VoteRequest request, long nowMs, Effects effects)
    {
        RequireStarted();
        if (request.ClusterId is string clusterId && clusterId != _config.ClusterId)
        {
            effects.Respond(context, RaftMessages.VoteResponse(ErrorCode.InconsistentClusterId));
            return;
        }
        if (request.Topics is not [{ Partitions: [var partition] } topic] || !RaftMessages.IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            effects.Respond(context, RaftMessages.VoteResponse(ErrorCode.InvalidRequest));
            return;
        }
        ErrorCode error = ValidateVoterOnlyRequest(partition.CandidateId, partition.CandidateEpoch, VoterDirectoryIdNamed(partition.VoterDirectoryId, context.ApiVersion));
        if (error != ErrorCode.None)
        {
            effects.Respond(context, RaftMessages.VoteResponse(error, CurrentLeaderAndEpoch, granted: false));
            return;
        }
        bool preVote = context.ApiVersion >= 2 && partition.PreVote;
        if (partition.CandidateEpoch > Epoch) BecomeUnattached(partition.CandidateEpoch, nowMs, effects);
        // Raft §5.4.1: grant only to a candidate whose log is at least as up to date as this one. Votes and
        // pre-votes share this one comparison, so the mutation check's switch drops it for both.
        bool isLogUpToDate = _config.ReintroducedBugs.HasFlag(ReintroducedBugs.VoteWithoutLogComparison)
            || new OffsetAndEpoch(partition.LastOffset, partition.LastOffsetEpoch) >= _log.EndOffsetAndEpoch;
        bool granted = _quorum.Current.CanGrantVote(partition.CandidateId, isLogUpToDate, preVote);
        ReintroducedBugs bugs = _config.ReintroducedBugs;
        // Museum switch: a follower grants pre-votes without KIP-996's "not fetched from a live leader" check.
        if (bugs.HasFlag(ReintroducedBugs.PreVoteWithoutFetchCheck) && preVote && _quorum.Current is FollowerState && isLogUpToDate) granted = true;
        bool persistsVote = granted && !preVote && _quorum.Current.VotedId != partition.CandidateId;
        // Museum switch: the vote leaves before the quorum state recording it; a crash between them forgets the vote.
        bool answerFirst = bugs.HasFlag(ReintroducedBugs.VoteBeforePersist);
        if (answerFirst) effects.Respond(context, RaftMessages.VoteResponse(ErrorCode.None, CurrentLeaderAndEpoch, granted));
        if (persistsVote) BecomeVoted(Epoch, partition.CandidateId, nowMs, effects);
        if (!answerFirst) effects.Respond(context, RaftMessages.VoteResponse(ErrorCode.None, CurrentLeaderAndEpoch, granted));
    }

    /// <summary>
    /// Kafka's <c>validateVoterOnlyRequest</c>: a request from an older epoch is fenced, and only voters take
    /// part in elections and epoch announcements. KIP-853: a request that names this node's directory as
    /// another than its storage's was meant for the voter this disk used to be (INVALID_VOTER_KEY); granting
    /// it a vote would promise on a log and a vote record this disk no longer holds.
    /// </summary>
    private ErrorCode ValidateVoterOnlyRequest(int remoteId, int requestEpoch, Uuid namedDirectoryId)
    {
        if (requestEpoch < Epoch) return ErrorCode.FencedLeaderEpoch;
        if (remoteId < 0 || remoteId == NodeId) return ErrorCode.InvalidRequest;
        if (!_quorum.Voters.NamesLocalDirectory(namedDirectoryId, DirectoryId)) return ErrorCode.InvalidVoterKey;
        if (!IsVoter || !_quorum.Voters.Contains(remoteId)) return ErrorCode.InconsistentVoterSet;
        return ErrorCode.None;
    }

    /// <summary>The directory id a Vote or BeginQuorumEpoch names for this voter: from v1 (KIP-853); none before.</summary>
    private static Uuid VoterDirectoryIdNamed(Uuid field, short version) => version >= 1 ? field : Uuid.Zero;

    private void SendVoteRequest(int voterId, bool preVote, long nowMs, Effects effects)
    {
        VoteRequest request = RaftMessages.VoteRequest(_config.ClusterId, NodeId, voterId, Epoch, _log.EndOffsetAndEpoch, preVote,
            candidateDirectoryId: DirectoryId, voterDirectoryId: _quorum.Voters.DirectoryIdOf(voterId));
        SendRequest(voterId, preVote ? RaftRequestKind.PreVote : RaftRequestKind.Vote, RaftMessages.VoteVersion, request, nowMs, effects);
    }

    /// <summary>
    /// Counts an answer to this round's (pre-)vote. An answer naming a newer epoch, or this epoch's leader,
    /// ends the round (<see cref="MaybeFollowNewerLeader"/>). A prospective with a majority stands as
    /// candidate; one refused by a majority gives up the round. A candidate with a majority leads; one
    /// refused waits out its election timeout and tries again through pre-vote.
    /// </summary>
    private void OnVoteResponse(PendingRequest request, VoteResponse response, long nowMs, Effects effects)
    {
        if ((ErrorCode)response.ErrorCode != ErrorCode.None || response.Topics is not [{ Partitions: [var partition] }])
        {
            OnRequestFailed(request, nowMs, effects);
            return;
        }
        if (MaybeFollowNewerLeader(partition.LeaderId, partition.LeaderEpoch, nowMs, effects)) return;
        if (partition.LeaderEpoch < Epoch)
        {
            OnRequestFailed(request, nowMs, effects);
            return;
        }
        bool granted = (ErrorCode)partition.ErrorCode == ErrorCode.None && partition.VoteGranted;
        switch (_quorum.Current)
        {
            case ProspectiveState prospective when request.Kind == RaftRequestKind.PreVote:
                prospective.PreVoteRequests.Answered(request.ToNodeId);
                prospective.Election.Record(request.ToNodeId, granted);
                if (prospective.Election.IsWon) BecomeCandidate(nowMs, effects);
                else if (prospective.Election.IsLost) OnPreVoteLost(nowMs, effects);
                break;
            case CandidateState candidate when request.Kind == RaftRequestKind.Vote:
                candidate.VoteRequests.Answered(request.ToNodeId);
                candidate.Election.Record(request.ToNodeId, granted);
                if (candidate.Election.IsWon) BecomeLeader(nowMs, effects);
                break;
            default:
                throw new InvalidOperationException($"a {request.Kind} answer reached {_quorum.Current}, which did not ask");
        }
    }
}
