using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Protocol.Messages.DeleteRecordsResponse;

namespace Reference.Core.Replication;

/// <summary>
/// DeleteRecords v0-v2 (Kafka's <c>Partition.deleteRecordsOnLeader</c>): the leader moves its log start up
/// to the offset asked (-1 meaning the HW), never past the HW, and answers with the low watermark, the
/// smallest log start among itself and the ISR followers it has heard from. Kafka waits until every live
/// replica's log start has reached the offset (DelayedDeleteRecords); this answers at once, which is the
/// same for a single replica and, with followers, reports a low watermark that may still be lower.
/// </summary>
internal sealed class DeleteRecordsHandler(PartitionTable table)
{
    /// <summary>Kafka's <c>DeleteRecordsRequest.HIGH_WATERMARK</c>.</summary>
    public const long HighWatermarkOffset = -1;

    public void Handle(RequestContext context, DeleteRecordsRequest request, Effects effects)
    {
        var response = new DeleteRecordsResponse();
        foreach (DeleteRecordsRequest.DeleteRecordsTopic topic in request.Topics)
        {
            var topicAnswer = new DeleteRecordsTopicResult { Name = topic.Name };
            foreach (DeleteRecordsRequest.DeleteRecordsPartition asked in topic.Partitions)
                topicAnswer.Partitions.Add(Delete(new TopicPartition(topic.Name, asked.PartitionIndex), asked, effects));
            response.Topics.Add(topicAnswer);
        }
        effects.Respond(context, response);
    }

    private DeleteRecordsPartitionResult Delete(TopicPartition name, DeleteRecordsRequest.DeleteRecordsPartition asked, Effects effects)
    {
        if (table.Get(name) is not Partition partition) return Failed(asked.PartitionIndex, ErrorCode.UnknownTopicOrPartition);
        if (!partition.IsLeader) return Failed(asked.PartitionIndex, ErrorCode.NotLeaderOrFollower);
        long offset = asked.Offset == HighWatermarkOffset ? partition.Log.HighWatermark : asked.Offset;
        if (offset < 0 || offset > partition.Log.HighWatermark) return Failed(asked.PartitionIndex, ErrorCode.OffsetOutOfRange);
        if (offset > partition.Log.LogStartOffset)
        {
            partition.Log.AdvanceStart(offset, effects);
            partition.Producers.TruncateHead(offset);
        }
        return new DeleteRecordsPartitionResult { PartitionIndex = asked.PartitionIndex, LowWatermark = LowWatermark(partition) };
    }

    private static long LowWatermark(Partition partition)
    {
        long lowWatermark = partition.Log.LogStartOffset;
        foreach (FollowerReplica follower in partition.Followers)
            if (partition.MaximalIsr.Contains(follower.BrokerId) && follower.LogStartOffset >= 0)
                lowWatermark = Math.Min(lowWatermark, follower.LogStartOffset);
        return lowWatermark;
    }

    private static DeleteRecordsPartitionResult Failed(int partitionIndex, ErrorCode error) => new()
    {
        PartitionIndex = partitionIndex,
        LowWatermark = -1,
        ErrorCode = (short)error,
    };
}
