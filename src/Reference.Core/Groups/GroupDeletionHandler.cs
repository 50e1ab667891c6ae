using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Groups;

/// <summary>
/// DeleteGroups v0-v2 and OffsetDelete v0 (Kafka's <c>handleDeleteGroups</c>, <c>handleDeleteOffsets</c> and
/// <c>GroupMetadataManager.cleanupGroupMetadata</c>). Deleted state leaves memory at once and the log as
/// tombstones; the answer waits for the tombstones to commit (Kafka's classic coordinator did not wait).
/// Should a write fail, memory has moved on while the log still holds the records: they come back when the
/// partition is next loaded, as with Kafka's classic coordinator.
/// </summary>
internal sealed class GroupDeletionHandler(GroupCatalog catalog, GroupLogWriter writer, Func<TopicPartition, bool> partitionExists)
{
    public void HandleDeleteGroups(RequestContext context, DeleteGroupsRequest request, long nowMs, Effects effects)
    {
        var results = new List<DeleteGroupsResponse.DeletableGroupResult>();
        var deleted = new SortedDictionary<int, List<(ClassicGroup Group, DeleteGroupsResponse.DeletableGroupResult Result)>>();
        foreach (string groupId in request.GroupsNames.Distinct(StringComparer.Ordinal))
        {
            var result = new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)Deletable(groupId) };
            results.Add(result);
            if (result.ErrorCode != 0) continue;
            ClassicGroup group = catalog.Find(groupId)!;
            group.TransitionTo(GroupState.Dead, nowMs);
            catalog.Remove(group);
            if (!deleted.TryGetValue(group.Partition, out var inPartition)) deleted[group.Partition] = inPartition = [];
            inPartition.Add((group, result));
        }
        var response = new DeleteGroupsResponse { Results = results };
        int batchesInFlight = deleted.Count;
        if (batchesInFlight == 0) effects.Respond(context, response);
        foreach ((int partition, var groups) in deleted)
        {
            var batch = GroupLogWriter.NewBatch();
            foreach ((ClassicGroup group, _) in groups) AppendGroupTombstones(batch, group, nowMs);
            writer.Append(partition, batch, nowMs, effects, (outcome, laterEffects) =>
            {
                foreach ((_, DeleteGroupsResponse.DeletableGroupResult result) in groups) result.ErrorCode = (short)GroupLogWriter.ForOffsetCommit(outcome.ErrorCode);
                if (--batchesInFlight == 0) laterEffects.Respond(context, response);
            });
        }
    }

    public void HandleOffsetDelete(RequestContext context, OffsetDeleteRequest request, long nowMs, Effects effects)
    {
        var errors = new Dictionary<(string, int), ErrorCode>();
        ClassicGroup? group = null;
        // Unlike DeleteGroups, Kafka keeps no compatibility exception for an empty group id here.
        ErrorCode groupError = catalog.Status(request.GroupId, emptyGroupIdAllowed: false);
        if (groupError == ErrorCode.None)
        {
            group = catalog.Find(request.GroupId);
            groupError = group is null || group.State == GroupState.Dead ? ErrorCode.GroupIdNotFound
                : group.State != GroupState.Empty && !group.IsConsumerGroup ? ErrorCode.NonEmptyGroup
                : ErrorCode.None;
        }
        if (groupError != ErrorCode.None)
        {
            effects.Respond(context, new OffsetDeleteResponse { ErrorCode = (short)groupError });
            return;
        }
        var batch = GroupLogWriter.NewBatch();
        foreach (OffsetDeleteRequest.OffsetDeleteRequestTopic topic in request.Topics)
        {
            foreach (OffsetDeleteRequest.OffsetDeleteRequestPartition partition in topic.Partitions)
            {
                var topicPartition = new TopicPartition(topic.Name, partition.PartitionIndex);
                errors[(topic.Name, partition.PartitionIndex)] = DeleteOffset(group!, topicPartition, batch, nowMs);
            }
        }
        if (batch.Count == 0)
        {
            effects.Respond(context, OffsetDeleteResponseOf(request, errors, ErrorCode.None));
            return;
        }
        writer.Append(group!.Partition, batch, nowMs, effects, (outcome, laterEffects) =>
            laterEffects.Respond(context, OffsetDeleteResponseOf(request, errors, GroupLogWriter.ForOffsetCommit(outcome.ErrorCode))));
    }

    /// <summary>Kafka's rules: only an Empty group may be deleted; one unknown here, or mid-deletion, was not found.</summary>
    private ErrorCode Deletable(string groupId)
    {
        ErrorCode status = catalog.Status(groupId, emptyGroupIdAllowed: true);
        if (status != ErrorCode.None) return status;
        ClassicGroup? group = catalog.Find(groupId);
        if (group is null || group.State == GroupState.Dead) return ErrorCode.GroupIdNotFound;
        return group.State == GroupState.Empty ? ErrorCode.None : ErrorCode.NonEmptyGroup;
    }

    /// <summary>
    /// KIP-496: a consumer group's offsets may go while it runs, except for topics its members subscribe to
    /// (the subscriptions are read from their JoinGroup metadata). Deleting an offset never committed succeeds.
    /// </summary>
    private ErrorCode DeleteOffset(ClassicGroup group, TopicPartition partition, RecordBatchBuilder batch, long nowMs)
    {
        if (!partitionExists(partition)) return ErrorCode.UnknownTopicOrPartition;
        if (group.State != GroupState.Empty && group.IsSubscribedToTopic(partition.Topic)) return ErrorCode.GroupSubscribedToTopic;
        if (group.Offsets.Remove(partition)) GroupRecords.AppendOffsetTombstone(batch, group.GroupId, partition, nowMs);
        return ErrorCode.None;
    }

    /// <summary>Every committed offset's tombstone, then the group's own (Kafka writes it even for a group with no metadata record).</summary>
    private static void AppendGroupTombstones(RecordBatchBuilder batch, ClassicGroup group, long nowMs)
    {
        foreach (TopicPartition partition in group.Offsets.All.Select(entry => entry.Key).ToList())
        {
            group.Offsets.Remove(partition);
            GroupRecords.AppendOffsetTombstone(batch, group.GroupId, partition, nowMs);
        }
        GroupRecords.AppendGroupTombstone(batch, group.GroupId, nowMs);
    }

    /// <summary>The partitions in the request's order; those deleted take the write's outcome.</summary>
    private static OffsetDeleteResponse OffsetDeleteResponseOf(OffsetDeleteRequest request, Dictionary<(string, int), ErrorCode> errors, ErrorCode written) => new()
    {
        Topics = request.Topics.Select(topic => new OffsetDeleteResponse.OffsetDeleteResponseTopic
        {
            Name = topic.Name,
            Partitions = topic.Partitions.Select(partition =>
            {
                ErrorCode error = errors[(topic.Name, partition.PartitionIndex)];
                return new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)(error == ErrorCode.None ? written : error) };
            }).ToList(),
        }).ToList(),
    };
}
