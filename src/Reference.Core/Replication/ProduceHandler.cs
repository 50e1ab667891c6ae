using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Producers;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using static Reference.Protocol.Messages.ProduceResponse;

namespace Reference.Core.Replication;

/// <summary>The outcome of appending one partition's batch as leader, before its acks are in.</summary>
internal readonly record struct LeaderAppend(ErrorCode Error, string? Message, long BaseOffset, long LastOffset,
    long LogAppendTimeMs, long LogStartOffset, int LeaderEpoch)
{
    public static LeaderAppend Refused(ErrorCode error, string? message = null) => new(error, message, -1, -1, -1, -1, -1);
}

/// <summary>
/// Produce v3-v9 (Kafka's <c>KafkaApis.handleProduceRequest</c> and <c>ReplicaManager.appendRecords</c>):
/// validates and appends each partition's one batch as leader, then answers at once (acks=1), after the
/// acks are in (acks=all: the HW passed the batch; acks=1 with FlushBeforeAcknowledge: the leader's copy
/// is durable), or not at all (acks=0, where an error closes the connection instead, so the producer
/// notices and refreshes its metadata).
/// </summary>
internal sealed class ProduceHandler(PartitionTable table, ProducePurgatory purgatory, PartitionProgress progress, bool flushBeforeAcknowledge)
{
    public void Handle(RequestContext context, ProduceRequest request, long nowMs, Effects effects)
    {
        var response = new ProduceResponse();
        var waiting = new List<(AckWait Wait, PartitionProduceResponse Answer)>();
        bool anyError = false;
        foreach (ProduceRequest.TopicProduceData topic in request.TopicData)
        {
            var topicAnswer = new TopicProduceResponse { Name = topic.Name };
            foreach (ProduceRequest.PartitionProduceData data in topic.PartitionData)
            {
                LeaderAppend append = AppendPartition(request, new TopicPartition(topic.Name, data.Index), data.Records, context.ApiVersion, nowMs, effects);
                PartitionProduceResponse answer = Answer(data.Index, append);
                anyError |= append.Error != ErrorCode.None;
                if (append.Error == ErrorCode.None && LevelFor(request.Acks) is AckLevel level)
                {
                    waiting.Add((new AckWait(new TopicPartition(topic.Name, data.Index), level, append.LastOffset + 1, append.LeaderEpoch), answer));
                    answer.ErrorCode = (short)ErrorCode.RequestTimedOut; // until the acks are in (Kafka's DelayedProduce)
                }
                topicAnswer.PartitionResponses.Add(answer);
            }
            response.Responses.Add(topicAnswer);
        }
        if (request.Acks == 0)
        {
            if (anyError) effects.Add(new NodeEffect.CloseConnection(context.Connection));
            return;
        }
        AnswerWhenAcked(nowMs + request.TimeoutMs, context.Connection, waiting.Select(entry => entry.Wait).ToList(), completeEffects =>
        {
            foreach ((AckWait wait, PartitionProduceResponse answer) in waiting) answer.ErrorCode = (short)wait.Status.Error;
            completeEffects.Respond(context, response);
        }, effects);
    }

    /// <summary>
    /// Runs <paramref name="complete"/> once every wait is acknowledged or failed, or at
    /// <paramref name="deadlineMs"/>; at once when nothing waits or all is in already.
    /// </summary>
    public void AnswerWhenAcked(long deadlineMs, ConnectionId? connection, IReadOnlyList<AckWait> waits, Action<Effects> complete, Effects effects)
    {
        var delayed = new DelayedProduce(deadlineMs, connection, waits, complete);
        if (waits.Count == 0 || delayed.IsSatisfied(table)) delayed.Complete(effects);
        else if (!purgatory.TryPark(delayed)) delayed.Expire(effects); // full: answer as timed out rather than wait unbounded
    }

    /// <summary>The checks on the whole request (acks, transactions), then the partition's own append.</summary>
    private LeaderAppend AppendPartition(ProduceRequest request, TopicPartition name, ReadOnlyMemory<byte>? records, short apiVersion,
        long nowMs, Effects effects)
    {
        if (request.Acks is not (0 or 1 or -1)) return LeaderAppend.Refused(ErrorCode.InvalidRequiredAcks);
        if (request.TransactionalId is not null)
            return LeaderAppend.Refused(ProducerIdIssuer.TransactionsUnsupported, "transactions are not supported by this broker");
        return AppendAsLeader(name, records, apiVersion, request.Acks, nowMs, effects);
    }

    /// <summary>
    /// Kafka's Partition.appendRecordsToLeader and UnifiedLog.appendAsLeader for one batch: leadership,
    /// validation, min.insync.replicas for acks=all, the producer's epoch and sequence, then the append.
    /// A retry of one of the producer's last five batches appends nothing and gets the original offsets.
    /// </summary>
    public LeaderAppend AppendAsLeader(TopicPartition name, ReadOnlyMemory<byte>? records, short apiVersion, short acks, long nowMs, Effects effects)
    {
        if (table.Get(name) is not Partition partition) return LeaderAppend.Refused(ErrorCode.UnknownTopicOrPartition);
        if (!partition.IsLeader) return LeaderAppend.Refused(ErrorCode.NotLeaderOrFollower);
        ProduceBatchCheck check = ProduceBatchValidator.Check(records, apiVersion, partition.Config);
        if (!check.IsValid) return LeaderAppend.Refused(check.Error, check.Message);
        RecordBatchHeader header = check.Batch.Header;
        if (header.IsTransactional)
            return LeaderAppend.Refused(ProducerIdIssuer.TransactionsUnsupported, "transactional batches are not supported by this broker");
        if (acks == -1 && partition.Isr.Count < partition.EffectiveMinIsr)
            return LeaderAppend.Refused(ErrorCode.NotEnoughReplicas,
                $"the ISR has {partition.Isr.Count} replicas, min.insync.replicas asks for {partition.EffectiveMinIsr}");
        bool logAppendTime = partition.Config.MessageTimestampType == TimestampType.LogAppendTime;
        ProducerCheck producer = partition.Producers.Check(header);
        if (producer.Verdict == ProducerVerdict.Refuse) return LeaderAppend.Refused(producer.Error, producer.Message);
        if (producer.Verdict == ProducerVerdict.Duplicate)
            return new LeaderAppend(ErrorCode.None, null, producer.Original.FirstOffset, producer.Original.LastOffset,
                logAppendTime ? producer.Original.TimestampMs : -1, partition.Log.LogStartOffset, partition.LeaderEpoch);
        long? appendTimeMs = logAppendTime ? nowMs : null;
        AppendedBatch appended = partition.Log.AppendAsLeader(check.Batch.Memory.Span, partition.LeaderEpoch, appendTimeMs, effects);
        partition.Producers.Record(header, appended.BaseOffset, appended.LastOffset, appendTimeMs ?? header.MaxTimestamp);
        if (flushBeforeAcknowledge) partition.Log.RequestFlush(effects);
        progress.OnChanged(partition, nowMs, effects);
        return new LeaderAppend(ErrorCode.None, null, appended.BaseOffset, appended.LastOffset, appendTimeMs ?? -1,
            partition.Log.LogStartOffset, partition.LeaderEpoch);
    }

    private AckLevel? LevelFor(short acks) => acks switch
    {
        -1 => AckLevel.HighWatermark,
        1 when flushBeforeAcknowledge => AckLevel.Durable,
        _ => null,
    };

    private static PartitionProduceResponse Answer(int partitionIndex, LeaderAppend append) => new()
    {
        Index = partitionIndex,
        ErrorCode = (short)append.Error,
        BaseOffset = append.BaseOffset,
        LogAppendTimeMs = append.LogAppendTimeMs,
        LogStartOffset = append.LogStartOffset,
        ErrorMessage = append.Message,
    };
}
