using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Raft;

/// <summary>BeginQuorumEpoch and EndQuorumEpoch, both sides: a leader announcing its epoch, and its end.</summary>
public sealed partial class RaftReplica
{
    /// <summary>
    /// A new leader announces its epoch (KIP-595: with pull replication a follower would otherwise not know
    /// whom to fetch from). A voter in an older epoch, or in this one without a leader, follows it.
    /// </summary>
    public void HandleBeginQuorumEpoch(RequestContext context, BeginQuorumEpochRequest request, long nowMs, Effects effects)
    {
        RequireStarted();
        if (request.ClusterId is string clusterId && clusterId != _config.ClusterId)
        {
            effects.Respond(context, RaftMessages.BeginQuorumEpochResponse(ErrorCode.InconsistentClusterId));
            return;
        }
        if (request.Topics is not [{ Partitions: [var partition] } topic] || !RaftMessages.IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            effects.Respond(context, RaftMessages.BeginQuorumEpochResponse(ErrorCode.InvalidRequest));
            return;
        }
        ErrorCode error = ValidateVoterOnlyRequest(partition.LeaderId, partition.LeaderEpoch, VoterDirectoryIdNamed(partition.VoterDirectoryId, context.ApiVersion));
        if (error == ErrorCode.None && (partition.LeaderEpoch > Epoch || _quorum.Current is not FollowerState { Leader: var leader } || leader != partition.LeaderId))
            BecomeFollower(partition.LeaderEpoch, partition.LeaderId, nowMs, effects);
        effects.Respond(context, RaftMessages.BeginQuorumEpochResponse(error, CurrentLeaderAndEpoch));
    }

    /// <summary>
    /// The leader resigns (KIP-595's EndQuorumEpoch). Its follower stops waiting for it: the first preferred
    /// successor stands at once, the next ones after growing backoffs, the rest after a random election
    /// timeout; and it now grants pre-votes, since its leader told it that it is gone.
    /// </summary>
    public void HandleEndQuorumEpoch(RequestContext context, EndQuorumEpochRequest request, long nowMs, Effects effects)
    {
        RequireStarted();
        if (request.ClusterId is string clusterId && clusterId != _config.ClusterId)
        {
            effects.Respond(context, RaftMessages.EndQuorumEpochResponse(ErrorCode.InconsistentClusterId));
            return;
        }
        if (request.Topics is not [{ Partitions: [var partition] } topic] || !RaftMessages.IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            effects.Respond(context, RaftMessages.EndQuorumEpochResponse(ErrorCode.InvalidRequest));
            return;
        }
        ErrorCode error = ValidateVoterOnlyRequest(partition.LeaderId, partition.LeaderEpoch, Uuid.Zero);
        if (error == ErrorCode.None)
        {
            if (partition.LeaderEpoch > Epoch) BecomeUnattached(partition.LeaderEpoch, nowMs, effects);
            else if (_quorum.Current is FollowerState follower && follower.Leader == partition.LeaderId)
            {
                IReadOnlyList<int> successors = RaftMessages.PreferredSuccessors(partition, context.ApiVersion);
                follower.OnLeaderResigned(nowMs, SuccessionDelayMs(successors.ToList().IndexOf(NodeId)));
                if (follower.FetchDeadlineMs <= nowMs) BecomeProspective(nowMs, effects);
            }
        }
        effects.Respond(context, RaftMessages.EndQuorumEpochResponse(error, CurrentLeaderAndEpoch));
    }

    /// <summary>
    /// How long a follower waits before standing after its leader resigned, by its place among the preferred
    /// successors (Kafka's <c>strictExponentialElectionBackoffMs</c> in spirit): the first at once, each next
    /// one twice as long, so the best-placed voter usually wins without a contest.
    /// </summary>
    private long SuccessionDelayMs(int position)
    {
        if (position < 0) return _quorum.RandomElectionTimeoutMs();
        if (position == 0) return 0;
        long backoffMs = (long)_config.QuorumRetryBackoffMs << Math.Min(position, 16);
        return Math.Min(backoffMs, _config.QuorumElectionTimeoutMs);
    }

    private void SendBeginQuorumEpoch(int voterId, long nowMs, Effects effects)
    {
        BeginQuorumEpochRequest request = RaftMessages.BeginQuorumEpochRequest(_config.ClusterId, NodeId, voterId, Epoch, AddressOf(NodeId),
            voterDirectoryId: _quorum.Voters.DirectoryIdOf(voterId));
        SendRequest(voterId, RaftRequestKind.BeginQuorumEpoch, RaftMessages.BeginQuorumEpochVersion, request, nowMs, effects);
    }

    private void SendEndQuorumEpoch(int voterId, ResignedState resigned, long nowMs, Effects effects)
    {
        EndQuorumEpochRequest request = RaftMessages.EndQuorumEpochRequest(_config.ClusterId, NodeId, Epoch, resigned.PreferredSuccessors, AddressOf(NodeId));
        SendRequest(voterId, RaftRequestKind.EndQuorumEpoch, RaftMessages.EndQuorumEpochVersion, request, nowMs, effects);
    }

    private void OnBeginQuorumEpochResponse(PendingRequest request, BeginQuorumEpochResponse response, long nowMs, Effects effects)
    {
        if (response.Topics is [{ Partitions: [var partition] }])
            OnAnnouncementAnswered(request, (ErrorCode)response.ErrorCode, (ErrorCode)partition.ErrorCode, partition.LeaderId, partition.LeaderEpoch, nowMs, effects);
        else OnRequestFailed(request, nowMs, effects);
    }

    private void OnEndQuorumEpochResponse(PendingRequest request, EndQuorumEpochResponse response, long nowMs, Effects effects)
    {
        if (response.Topics is [{ Partitions: [var partition] }])
            OnAnnouncementAnswered(request, (ErrorCode)response.ErrorCode, (ErrorCode)partition.ErrorCode, partition.LeaderId, partition.LeaderEpoch, nowMs, effects);
        else OnRequestFailed(request, nowMs, effects);
    }

    /// <summary>
    /// An acknowledged announcement is done; a refused one is sent again; a newer epoch ends this one. A
    /// refusal with INVALID_VOTER_KEY is final too: the node at that id runs on another disk than the voter's
    /// (KIP-853), and no resend changes that; it finds the leader by fetching, as an observer does.
    /// </summary>
    private void OnAnnouncementAnswered(PendingRequest request, ErrorCode topLevel, ErrorCode error, int leaderId, int epoch, long nowMs, Effects effects)
    {
        if (topLevel == ErrorCode.None && MaybeFollowNewerLeader(leaderId, epoch, nowMs, effects)) return;
        if (topLevel == ErrorCode.None && error == ErrorCode.InvalidVoterKey) VoterRequestsOfCurrentState()?.Answered(request.ToNodeId);
        else if (topLevel != ErrorCode.None || error != ErrorCode.None) OnRequestFailed(request, nowMs, effects);
        else VoterRequestsOfCurrentState()?.Answered(request.ToNodeId);
    }
}
