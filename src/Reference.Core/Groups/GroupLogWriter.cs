using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Protocol;
using Reference.Protocol.Records;

namespace Reference.Core.Groups;

/// <summary>
/// Writes the coordinator's records to its <c>__consumer_offsets</c> partitions through the node's
/// <see cref="IPartitionAppender"/>, one batch per call, and turns the append's outcome into the error a
/// client should see. Nothing is promised to a client before the callback says the batch is committed.
/// </summary>
internal sealed class GroupLogWriter(IPartitionAppender appender)
{
    /// <summary>Appends the batch; <paramref name="onDone"/> gets the raw outcome once it is committed or has failed.</summary>
    public void Append(int partition, RecordBatchBuilder batch, long nowMs, Effects effects, Action<AppendOutcome, Effects> onDone)
    {
        GroupInvariant.Check(batch.Count > 0, "a write to __consumer_offsets carries at least one record");
        appender.AppendAsLeader(new TopicPartition(OffsetsTopic.Name, partition), batch.Build(), nowMs, effects, onDone);
    }

    /// <summary>A batch for the coordinator's records: no producer, offsets from 0 (the leader assigns the real ones).</summary>
    public static RecordBatchBuilder NewBatch() => new(new RecordBatchOptions());

    /// <summary>
    /// Kafka's mapping in <c>GroupMetadataManager.storeOffsets</c>: errors a client cannot act on become the
    /// coordinator errors that send it to find the coordinator again; a batch too large is the commit's fault.
    /// </summary>
    public static ErrorCode ForOffsetCommit(short appendError) => (ErrorCode)appendError switch
    {
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.InvalidCommitOffsetSize,
        var other => other,
    };

    /// <summary>
    /// Kafka's mapping in <c>GroupMetadataManager.storeGroup</c>: as for commits, except that a timed-out write
    /// asks the members to rebalance and a batch too large is the server's fault.
    /// </summary>
    public static ErrorCode ForGroupStore(short appendError) => (ErrorCode)appendError switch
    {
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        ErrorCode.RequestTimedOut => ErrorCode.RebalanceInProgress,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
        var other => other,
    };
}
