using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Protocol.Messages.OffsetForLeaderEpochResponse;

namespace Reference.Core.Replication;

/// <summary>
/// OffsetForLeaderEpoch v0-v4 (KIP-101, KIP-320; Kafka's <c>Partition.lastOffsetForLeaderEpoch</c>): where
/// an epoch ended in the leader's log, so a follower or a consumer can detect and cut a diverged tail.
/// Answered by the leader only, from its leader-epoch cache.
/// </summary>
internal sealed class OffsetForLeaderEpochHandler(PartitionTable table)
{
    public void Handle(RequestContext context, OffsetForLeaderEpochRequest request, Effects effects)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (OffsetForLeaderEpochRequest.OffsetForLeaderTopic topic in request.Topics)
        {
            var topicAnswer = new OffsetForLeaderTopicResult { Topic = topic.Topic };
            foreach (OffsetForLeaderEpochRequest.OffsetForLeaderPartition asked in topic.Partitions)
                topicAnswer.Partitions.Add(EndOf(new TopicPartition(topic.Topic, asked.Partition), asked));
            response.Topics.Add(topicAnswer);
        }
        effects.Respond(context, response);
    }

    private EpochEndOffset EndOf(TopicPartition name, OffsetForLeaderEpochRequest.OffsetForLeaderPartition asked)
    {
        var answer = new EpochEndOffset { Partition = asked.Partition };
        if (table.Get(name) is not Partition partition)
        {
            answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
            return answer;
        }
        ErrorCode leaderError = partition.CheckLeader(asked.CurrentLeaderEpoch);
        if (leaderError != ErrorCode.None)
        {
            answer.ErrorCode = (short)leaderError;
            return answer;
        }
        LeaderEpochEnd end = partition.Log.Epochs.EndOffsetFor(asked.LeaderEpoch, partition.Log.LogEndOffset);
        answer.LeaderEpoch = end.Epoch;
        answer.EndOffset = end.EndOffset;
        return answer;
    }
}
