using Reference.Core.Node;

namespace Reference.Core.Replication;

/// <summary>
/// What follows when a partition moves (Kafka's <c>tryCompleteDelayedRequests</c> after an append, a
/// follower fetch or an ISR change): the HW is recomputed, waiting produces whose acks are in are
/// answered, and parked fetches on the partition are re-read on the next step.
/// </summary>
internal sealed class PartitionProgress(NodeConfig config, PartitionTable table, ProducePurgatory produces,
    FetchPurgatory fetches, IsrChangeSender isrChanges)
{
    /// <summary>The partition's log end, durable end, ISR or role changed.</summary>
    public void OnChanged(Partition partition, long nowMs, Effects effects)
    {
        partition.MaybeIncrementHighWatermark(nowMs, config.ReplicaLagTimeMaxMs, config.FlushBeforeAcknowledge);
        produces.CompleteSatisfied(partition.Name, table, effects);
        fetches.MarkAdvanced(partition.Name);
    }

    /// <summary>
    /// A follower fetched from <paramref name="fetchOffset"/> (Kafka's updateFollowerFetchState): its
    /// position is its log end, it may join the ISR, and the HW may move with it.
    /// </summary>
    public void OnFollowerFetch(Partition partition, FollowerReplica follower, long fetchOffset, long followerLogStartOffset,
        long leaderEndOffset, long brokerEpoch, long nowMs, Effects effects)
    {
        long previousEndOffset = follower.LogEndOffset;
        follower.UpdateFetchState(fetchOffset, followerLogStartOffset, nowMs, leaderEndOffset, brokerEpoch);
        if (partition.MaybeProposeExpand(follower) is not null) isrChanges.Submit(partition, effects);
        if (follower.LogEndOffset != previousEndOffset) OnChanged(partition, nowMs, effects);
    }
}
