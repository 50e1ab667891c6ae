using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>DescribeQuorum (kafka-metadata-quorum describe): the leader's view of every replica's progress.</summary>
public sealed partial class RaftReplica
{
    /// <summary>
    /// Only the leader knows everyone's progress, so only it answers; others say NOT_LEADER_OR_FOLLOWER with
    /// the leader they know. Timestamps are the shell's clock (virtual in the simulator, wall time in the broker).
    /// </summary>
    public void HandleDescribeQuorum(RequestContext context, DescribeQuorumRequest request, long nowMs, Effects effects)
    {
        RequireStarted();
        var partition = new DescribeQuorumResponse.PartitionData
        {
            PartitionIndex = RaftLog.Partition.Partition,
            LeaderId = CurrentLeaderAndEpoch.LeaderIdOrNone,
            LeaderEpoch = Epoch,
            HighWatermark = _highWatermark,
        };
        if (request.Topics is not [{ Partitions: [var asked] } topic] || !RaftMessages.IsMetadataPartition(topic.TopicName, asked.PartitionIndex))
            partition.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
        else if (_quorum.Current is not LeaderState leader) partition.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
        else
        {
            leader.RecordLocalFlush(_log.DurableEndOffset, nowMs);
            partition.CurrentVoters = leader.VoterProgress.Select(Describe).ToList();
            partition.Observers = leader.ObserverProgress.Select(Describe).ToList();
        }
        var response = new DescribeQuorumResponse
        {
            Topics = [new DescribeQuorumResponse.TopicData { TopicName = RaftLog.Partition.Topic, Partitions = [partition] }],
            Nodes = _config.Voters.OrderBy(voter => voter.NodeId).Select(voter => new DescribeQuorumResponse.Node
            {
                NodeId = voter.NodeId,
                Listeners = [new DescribeQuorumResponse.Listener { Name = RaftMessages.ControllerListenerName, Host = voter.Host, Port = (ushort)voter.Port }],
            }).ToList(),
        };
        effects.Respond(context, response);
    }

    private static DescribeQuorumResponse.ReplicaState Describe(ReplicaProgress progress) => new()
    {
        ReplicaId = progress.NodeId,
        LogEndOffset = progress.EndOffset,
        LastFetchTimestamp = progress.LastFetchTimestampMs,
        LastCaughtUpTimestamp = progress.LastCaughtUpTimestampMs,
    };
}
