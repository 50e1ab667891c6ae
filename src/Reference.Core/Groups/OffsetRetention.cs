using Reference.Core.Node;
using Reference.Protocol.Records;

namespace Reference.Core.Groups;

/// <summary>
/// The periodic sweep of committed offsets (KIP-211, Kafka's <c>GroupMetadataManager.cleanupGroupMetadata</c>):
/// offsets expire after <c>offsets.retention.minutes</c>, counted from when the group became Empty (or, for a
/// simple consumer's group, from each commit); a Stable consumer group keeps the offsets of topics it still
/// subscribes to. An Empty group left with no offsets is deleted. Tombstones are written without waiting: an
/// expiry that does not make it to the log simply happens again after the next load.
/// </summary>
internal sealed class OffsetRetention(GroupCoordinatorConfig config, GroupCatalog catalog, GroupLogWriter writer)
{
    private long? _nextSweepMs;

    public long? NextSweepMs => _nextSweepMs;

    /// <summary>Starts the sweep's clock when there are partitions to sweep, and stops it when there are none.</summary>
    public void Schedule(long nowMs)
    {
        if (catalog.LedPartitions.Count == 0) _nextSweepMs = null;
        else _nextSweepMs ??= nowMs + config.OffsetsRetentionCheckIntervalMs;
    }

    public void Tick(long nowMs, Effects effects)
    {
        if (NextSweepMs is not long dueMs || dueMs > nowMs) return;
        _nextSweepMs = nowMs + config.OffsetsRetentionCheckIntervalMs;
        var batches = new SortedDictionary<int, RecordBatchBuilder>();
        foreach (ClassicGroup group in catalog.All.ToList())
        {
            if (!batches.TryGetValue(group.Partition, out var batch)) batches[group.Partition] = batch = GroupLogWriter.NewBatch();
            Sweep(group, batch, nowMs);
        }
        foreach ((int partition, var batch) in batches)
        {
            if (batch.Count > 0) writer.Append(partition, batch, nowMs, effects, (_, _) => { });
        }
    }

    private void Sweep(ClassicGroup group, RecordBatchBuilder batch, long nowMs)
    {
        foreach (TopicPartition partition in ExpiredOffsets(group, nowMs))
        {
            group.Offsets.Remove(partition);
            GroupRecords.AppendOffsetTombstone(batch, group.GroupId, partition, nowMs);
        }
        // Our addition to Kafka's rule: a group with members still to come back for their id is kept.
        if (group.State == GroupState.Empty && group.Offsets.IsEmpty && !group.Offsets.HasAnyPending && group.PendingMemberCount == 0)
        {
            group.TransitionTo(GroupState.Dead, nowMs);
            catalog.Remove(group);
            GroupRecords.AppendGroupTombstone(batch, group.GroupId, nowMs);
        }
    }

    /// <summary>Kafka's <c>GroupMetadata.removeExpiredOffsets</c>, case by case.</summary>
    private IReadOnlyList<TopicPartition> ExpiredOffsets(ClassicGroup group, long nowMs)
    {
        long retentionMs = config.OffsetsRetentionMs;
        if (group.ProtocolType is null)
        {
            return group.Offsets.Expired(nowMs, retentionMs, offset => offset.CommitTimestampMs, keptTopics: null);
        }
        if (group.State == GroupState.Empty)
        {
            long? emptySinceMs = group.StateTimestampMs;
            return group.Offsets.Expired(nowMs, retentionMs, offset => emptySinceMs ?? offset.CommitTimestampMs, keptTopics: null);
        }
        if (group.IsConsumerGroup && group.SubscribedTopics is not null && group.State == GroupState.Stable)
        {
            return group.Offsets.Expired(nowMs, retentionMs, offset => offset.CommitTimestampMs, group.SubscribedTopics);
        }
        return [];
    }
}
