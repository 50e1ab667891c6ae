using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using static Reference.Protocol.Messages.ListOffsetsResponse;

namespace Reference.Core.Replication;

/// <summary>
/// ListOffsets v1-v6 (Kafka's <c>Partition.fetchOffsetForTimestamp</c>): -2 is the log start, -1 the last
/// offset a consumer may read (the HW, or the LSO under read_committed; a follower gets the log end),
/// anything else the first batch whose newest timestamp is at or after it. Timestamps are resolved per
/// batch, not per record, since records are never decoded: the answer is the batch's base offset and its
/// max timestamp, which may be a few records before Kafka's, never after.
/// </summary>
internal sealed class ListOffsetsHandler(PartitionTable table, ILogStorage storage)
{
    public const long LatestTimestamp = -1;
    public const long EarliestTimestamp = -2;
    public const int ConsumerReplicaId = -1;
    public const int DebuggingReplicaId = -2;

    public void Handle(RequestContext context, ListOffsetsRequest request, Effects effects)
    {
        var response = new ListOffsetsResponse();
        var seen = new HashSet<TopicPartition>(); // membership only, never enumerated
        foreach (ListOffsetsRequest.ListOffsetsTopic topic in request.Topics)
        {
            var topicAnswer = new ListOffsetsTopicResponse { Name = topic.Name };
            foreach (ListOffsetsRequest.ListOffsetsPartition asked in topic.Partitions)
            {
                var name = new TopicPartition(topic.Name, asked.PartitionIndex);
                topicAnswer.Partitions.Add(seen.Add(name)
                    ? Lookup(name, asked, request)
                    : Failed(asked.PartitionIndex, ErrorCode.InvalidRequest)); // Kafka refuses a partition asked twice
            }
            response.Topics.Add(topicAnswer);
        }
        effects.Respond(context, response);
    }

    private ListOffsetsPartitionResponse Lookup(TopicPartition name, ListOffsetsRequest.ListOffsetsPartition asked, ListOffsetsRequest request)
    {
        if (table.Get(name) is not Partition partition) return Failed(asked.PartitionIndex, ErrorCode.UnknownTopicOrPartition);
        ErrorCode leaderError = partition.CheckLeader(asked.CurrentLeaderEpoch, requireLeader: request.ReplicaId != DebuggingReplicaId);
        if (leaderError != ErrorCode.None) return Failed(asked.PartitionIndex, leaderError);
        PartitionLog log = partition.Log;
        bool fromConsumer = request.ReplicaId == ConsumerReplicaId;
        long lastFetchable = !fromConsumer ? log.LogEndOffset
            : request.IsolationLevel == FetchParams.ReadCommitted ? log.LastStableOffset : log.HighWatermark;
        // A new leader whose HW has not yet reached its epoch's start cannot say what is committed (Kafka's OFFSET_NOT_AVAILABLE).
        bool highWatermarkLagging = fromConsumer && partition.LeaderEpochStartOffset is long epochStart && epochStart > log.HighWatermark;
        switch (asked.Timestamp)
        {
            case LatestTimestamp:
                return highWatermarkLagging
                    ? Failed(asked.PartitionIndex, ErrorCode.OffsetNotAvailable)
                    : Found(asked.PartitionIndex, -1, lastFetchable, partition.LeaderEpoch);
            case EarliestTimestamp:
                return Found(asked.PartitionIndex, -1, log.LogStartOffset, log.Epochs.EpochForOffset(log.LogStartOffset) ?? -1);
            case < 0:
                // -3 (max timestamp) and later specials need ListOffsets v7+, which this broker does not advertise.
                return Failed(asked.PartitionIndex, ErrorCode.UnsupportedVersion);
        }
        if (FindByTimestamp(name, asked.Timestamp, lastFetchable) is (long timestampMs, long offset, int epoch))
            return Found(asked.PartitionIndex, timestampMs, offset, epoch);
        return highWatermarkLagging ? Failed(asked.PartitionIndex, ErrorCode.OffsetNotAvailable) : Found(asked.PartitionIndex, -1, -1, -1);
    }

    private (long TimestampMs, long Offset, int LeaderEpoch)? FindByTimestamp(TopicPartition name, long timestampMs, long lastFetchable)
    {
        if (storage.OffsetForTimestamp(name, timestampMs) is not long offset || offset >= lastFetchable) return null;
        ReadOnlyMemory<byte> batch = storage.Read(name, offset, lastFetchable, maxBytes: 1);
        if (!RecordBatchHeader.TryRead(batch.Span, out RecordBatchHeader header)) return null;
        return (header.MaxTimestamp, offset, header.PartitionLeaderEpoch);
    }

    private static ListOffsetsPartitionResponse Found(int partitionIndex, long timestampMs, long offset, int leaderEpoch) => new()
    {
        PartitionIndex = partitionIndex,
        Timestamp = timestampMs,
        Offset = offset,
        LeaderEpoch = leaderEpoch,
    };

    private static ListOffsetsPartitionResponse Failed(int partitionIndex, ErrorCode error) => new()
    {
        PartitionIndex = partitionIndex,
        ErrorCode = (short)error,
    };
}
