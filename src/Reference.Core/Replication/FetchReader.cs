using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Protocol.Messages.FetchResponse;

namespace Reference.Core.Replication;

/// <summary>Who fetches and how (Kafka's <c>FetchParams</c>), read once from the request.</summary>
/// <param name="ReplicaId">A follower's node id; -1 for a consumer (-2 for a debugging tool).</param>
/// <param name="ReplicaEpoch">The follower's broker epoch (Fetch v15+), or -1.</param>
/// <param name="IsolationLevel">0 read_uncommitted (up to the HW), 1 read_committed (up to the LSO).</param>
/// <param name="MaxBytes">The response's byte budget across partitions (KIP-74).</param>
internal sealed record FetchParams(short Version, int ReplicaId, long ReplicaEpoch, sbyte IsolationLevel, int MaxBytes)
{
    public const sbyte ReadCommitted = 1;

    public bool IsFromFollower => ReplicaId >= 0;

    public static FetchParams Of(short version, FetchRequest request) => new(
        version,
        version >= 15 ? request.ReplicaState?.ReplicaId ?? -1 : request.ReplicaId,
        version >= 15 ? request.ReplicaState?.ReplicaEpoch ?? -1 : -1,
        request.IsolationLevel,
        request.MaxBytes);
}

/// <summary>A fetch's answer, what decides whether it may be sent before MaxWaitMs, and the partitions it named.</summary>
internal readonly record struct FetchRead(FetchResponse Response, long BytesRead, bool EndsWait, IReadOnlySet<TopicPartition> Partitions);

/// <summary>
/// Reads a Fetch's partitions from the log (Kafka's <c>ReplicaManager.readFromLocalLog</c> and
/// <c>Partition.fetchRecords</c>): whole batches from storage, never past the HW for a consumer (the LSO
/// for read_committed) nor past the log end for a follower, within PartitionMaxBytes and the request's
/// MaxBytes, except that the first batch found is always returned whole so a consumer cannot get stuck
/// behind a batch larger than its limits (KIP-74). A follower's fetch also reports its position.
/// </summary>
internal sealed class FetchReader(PartitionTable table, ILogStorage storage, PartitionProgress progress)
{
    /// <summary>Reads every partition of <paramref name="request"/>; follower positions are recorded only when <paramref name="recordFollowerState"/>.</summary>
    public FetchRead Read(FetchRequest request, FetchParams parameters, long nowMs, bool recordFollowerState, Effects effects)
    {
        var response = new FetchResponse();
        var budget = new ByteBudget(parameters.MaxBytes);
        var partitions = new SortedSet<TopicPartition>();
        bool endsWait = false;
        foreach (FetchRequest.FetchTopic topic in request.Topics)
        {
            var answer = new FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
            string? name = parameters.Version >= 13 ? table.TopicName(topic.TopicId) : topic.Topic;
            foreach (FetchRequest.FetchPartition fetch in topic.Partitions)
            {
                if (name is not null) partitions.Add(new TopicPartition(name, fetch.Partition));
                PartitionData data = name is null
                    ? Failed(fetch.Partition, ErrorCode.UnknownTopicId)
                    : ReadPartition(new TopicPartition(name, fetch.Partition), fetch, parameters, budget, nowMs, recordFollowerState, effects);
                endsWait |= data.ErrorCode != 0 || data.DivergingEpoch is not null;
                answer.Partitions.Add(data);
            }
            response.Responses.Add(answer);
        }
        return new FetchRead(response, budget.BytesRead, endsWait, partitions);
    }

    private PartitionData ReadPartition(TopicPartition name, FetchRequest.FetchPartition fetch, FetchParams parameters, ByteBudget budget,
        long nowMs, bool recordFollowerState, Effects effects)
    {
        if (table.Get(name) is not Partition partition) return Failed(fetch.Partition, ErrorCode.UnknownTopicOrPartition);
        ErrorCode leaderError = partition.CheckLeader(fetch.CurrentLeaderEpoch);
        if (leaderError != ErrorCode.None) return Failed(fetch.Partition, leaderError);
        return parameters.IsFromFollower
            ? ReadForFollower(partition, fetch, parameters, budget, nowMs, recordFollowerState, effects)
            : ReadForConsumer(partition, fetch, parameters, budget);
    }

    private PartitionData ReadForConsumer(Partition partition, FetchRequest.FetchPartition fetch, FetchParams parameters, ByteBudget budget)
    {
        PartitionLog log = partition.Log;
        if (fetch.FetchOffset < log.LogStartOffset || fetch.FetchOffset > log.LogEndOffset)
            return Failed(fetch.Partition, ErrorCode.OffsetOutOfRange);
        long readableEnd = parameters.IsolationLevel == FetchParams.ReadCommitted ? log.LastStableOffset : log.HighWatermark;
        PartitionData data = Answer(fetch.Partition, log, parameters);
        data.Records = ReadRecords(partition.Name, fetch, readableEnd, budget);
        return data;
    }

    private PartitionData ReadForFollower(Partition partition, FetchRequest.FetchPartition fetch, FetchParams parameters, ByteBudget budget,
        long nowMs, bool recordFollowerState, Effects effects)
    {
        if (partition.Follower(parameters.ReplicaId) is not FollowerReplica follower)
            // Kafka's followerReplicaOrThrow: with an epoch the (replica, epoch) pair is merely not known yet.
            return Failed(fetch.Partition, fetch.CurrentLeaderEpoch >= 0 ? ErrorCode.UnknownLeaderEpoch : ErrorCode.NotLeaderOrFollower);
        PartitionLog log = partition.Log;
        if (fetch.FetchOffset < log.LogStartOffset) return Failed(fetch.Partition, ErrorCode.OffsetOutOfRange);
        PartitionData data = Answer(fetch.Partition, log, parameters);
        // Before the log-end check (Kafka's readRecords order): a follower holding entries of a failed
        // epoch may be ahead of this leader's end, and must learn where to truncate, not be refused.
        if (fetch.LastFetchedEpoch >= 0 && DivergingEpoch(log, fetch) is LeaderEpochEnd diverging)
        {
            if (diverging.EndOffset < 0) return Failed(fetch.Partition, ErrorCode.OffsetOutOfRange);
            data.DivergingEpoch = new EpochEndOffset { Epoch = diverging.Epoch, EndOffset = diverging.EndOffset };
            return data;
        }
        if (fetch.FetchOffset > log.LogEndOffset) return Failed(fetch.Partition, ErrorCode.OffsetOutOfRange);
        long leaderEndOffset = log.LogEndOffset;
        data.Records = ReadRecords(partition.Name, fetch, leaderEndOffset, budget);
        if (recordFollowerState)
            progress.OnFollowerFetch(partition, follower, fetch.FetchOffset, fetch.LogStartOffset, leaderEndOffset, parameters.ReplicaEpoch, nowMs, effects);
        return data;
    }

    /// <summary>The end of the follower's last fetched epoch here, when it shows the logs diverged (or is unknown: -1).</summary>
    private static LeaderEpochEnd? DivergingEpoch(PartitionLog log, FetchRequest.FetchPartition fetch)
    {
        LeaderEpochEnd end = log.Epochs.EndOffsetFor(fetch.LastFetchedEpoch, log.LogEndOffset);
        if (end == LeaderEpochEnd.Undefined) return end;
        return end.Epoch < fetch.LastFetchedEpoch || end.EndOffset < fetch.FetchOffset ? end : null;
    }

    private ReadOnlyMemory<byte> ReadRecords(TopicPartition name, FetchRequest.FetchPartition fetch, long readableEnd, ByteBudget budget)
    {
        // Appends emitted earlier in this step reach the storage only at the step's end.
        long endOffset = Math.Min(readableEnd, storage.Extent(name).EndOffset);
        int maxBytes = budget.PartitionLimit(fetch.PartitionMaxBytes);
        if (fetch.FetchOffset >= endOffset || (maxBytes == 0 && !budget.MustReturnOneBatch)) return ReadOnlyMemory<byte>.Empty;
        ReadOnlyMemory<byte> records = storage.Read(name, fetch.FetchOffset, endOffset, maxBytes);
        if (records.Length > maxBytes && !budget.MustReturnOneBatch) return ReadOnlyMemory<byte>.Empty;
        budget.Spend(records.Length);
        return records;
    }

    private static PartitionData Answer(int partitionIndex, PartitionLog log, FetchParams parameters) => new()
    {
        PartitionIndex = partitionIndex,
        ErrorCode = 0,
        HighWatermark = log.HighWatermark,
        LastStableOffset = log.LastStableOffset,
        LogStartOffset = log.LogStartOffset,
        // No transactions, so nothing was aborted; Kafka sends an empty list to read_committed and null otherwise.
        AbortedTransactions = parameters.IsolationLevel == FetchParams.ReadCommitted ? [] : null,
        Records = ReadOnlyMemory<byte>.Empty,
    };

    private static PartitionData Failed(int partitionIndex, ErrorCode error) => new()
    {
        PartitionIndex = partitionIndex,
        ErrorCode = (short)error,
        HighWatermark = -1,
        LastStableOffset = -1,
        LogStartOffset = -1,
        Records = ReadOnlyMemory<byte>.Empty,
    };

    /// <summary>
    /// The request's MaxBytes across partitions. Until some partition has returned data, the first batch
    /// found is returned whole even above the limits (Kafka's minOneMessage, KIP-74).
    /// </summary>
    private sealed class ByteBudget(int maxBytes)
    {
        private long _remainingBytes = Math.Max(0, maxBytes);

        public long BytesRead { get; private set; }

        public bool MustReturnOneBatch => BytesRead == 0;

        public int PartitionLimit(int partitionMaxBytes) => (int)Math.Clamp(Math.Min(partitionMaxBytes, _remainingBytes), 0, int.MaxValue);

        public void Spend(int bytes)
        {
            BytesRead += bytes;
            _remainingBytes = Math.Max(0, _remainingBytes - bytes);
        }
    }
}
