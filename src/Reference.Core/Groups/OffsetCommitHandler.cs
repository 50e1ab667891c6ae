using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// OffsetCommit v0-v9 (Kafka's <c>GroupCoordinator.handleCommitOffsets</c> and
/// <c>GroupMetadataManager.storeOffsets</c>). A member commits in its generation; a consumer outside group
/// management commits with generation -1 into an empty or unknown group (a "simple" group). The offsets are
/// written to the group's partition and answered, and made visible, only once committed there.
/// v9's member epoch is read as the generation: it names the epoch only for KIP-848 groups, which we do not serve.
/// </summary>
internal sealed class OffsetCommitHandler(
    GroupCoordinatorConfig config,
    GroupCatalog catalog,
    GroupRebalancer rebalancer,
    GroupLogWriter writer,
    Func<TopicPartition, bool> partitionExists)
{
    public void Handle(RequestContext context, OffsetCommitRequest request, long nowMs, Effects effects)
    {
        (ClassicGroup? group, ErrorCode error) = Validate(request, nowMs);
        if (group is null || error != ErrorCode.None)
        {
            effects.Respond(context, Response(request, (_, _) => error));
            return;
        }
        if (group.TryGet(request.MemberId, out GroupMember member) && group.State is GroupState.Stable or GroupState.PreparingRebalance)
        {
            // A commit is as good as a heartbeat (Kafka's doCommitOffsets).
            rebalancer.ScheduleHeartbeat(member, nowMs);
        }
        Commit(group, context, request, nowMs, effects);
        group.CheckInvariants();
    }

    /// <summary>The group to commit into, created for a simple commit; or why the commit is refused.</summary>
    private (ClassicGroup? Group, ErrorCode Error) Validate(OffsetCommitRequest request, long nowMs)
    {
        ErrorCode status = catalog.Status(request.GroupId, emptyGroupIdAllowed: true);
        if (status != ErrorCode.None) return (null, status);
        int generationId = request.GenerationIdOrMemberEpoch;
        ClassicGroup? group = catalog.Find(request.GroupId);
        if (group is null)
        {
            // Kafka: a commit with a generation for a group that does not exist comes from an older generation.
            if (generationId >= 0) return (null, ErrorCode.IllegalGeneration);
            if (catalog.IsFull) return (null, ErrorCode.CoordinatorNotAvailable);
            return (catalog.Create(request.GroupId, nowMs), ErrorCode.None);
        }
        return (group, MemberError(group, request));
    }

    /// <summary>Kafka's <c>validateOffsetCommit</c>, then the state check of <c>doCommitOffsets</c>.</summary>
    private static ErrorCode MemberError(ClassicGroup group, OffsetCommitRequest request)
    {
        if (group.State == GroupState.Dead) return ErrorCode.CoordinatorNotAvailable;
        bool fromMember = request.GenerationIdOrMemberEpoch >= 0 || request.MemberId.Length > 0 || request.GroupInstanceId is not null;
        if (fromMember)
        {
            if (request.GroupInstanceId is string instanceId)
            {
                string? current = group.StaticMemberId(instanceId);
                if (current is null) return ErrorCode.UnknownMemberId;
                if (current != request.MemberId) return ErrorCode.FencedInstanceId;
            }
            if (!group.Has(request.MemberId)) return ErrorCode.UnknownMemberId;
            if (request.GenerationIdOrMemberEpoch != group.GenerationId) return ErrorCode.IllegalGeneration;
        }
        else if (group.State != GroupState.Empty)
        {
            // Without a member id and generation, only an empty group takes commits.
            return ErrorCode.UnknownMemberId;
        }
        // The member has this generation but not yet its assignment: it should not be committing.
        return group.State == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    private void Commit(ClassicGroup group, RequestContext context, OffsetCommitRequest request, long nowMs, Effects effects)
    {
        var refused = new Dictionary<(string, int), ErrorCode>();
        var staged = new List<(TopicPartition Partition, long StageId, CommittedOffset Offset)>();
        var batch = GroupLogWriter.NewBatch();
        foreach (OffsetCommitRequest.OffsetCommitRequestTopic topic in request.Topics)
        {
            foreach (OffsetCommitRequest.OffsetCommitRequestPartition partition in topic.Partitions)
            {
                var topicPartition = new TopicPartition(topic.Name, partition.PartitionIndex);
                ErrorCode error = PartitionError(topicPartition, partition.CommittedMetadata);
                if (error != ErrorCode.None)
                {
                    refused[(topic.Name, partition.PartitionIndex)] = error;
                    continue;
                }
                CommittedOffset offset = OffsetOf(request, partition, nowMs);
                GroupRecords.AppendOffsetCommit(batch, group.GroupId, topicPartition, offset, nowMs);
                staged.Add((topicPartition, group.Offsets.Stage(topicPartition), offset));
            }
        }
        if (staged.Count == 0)
        {
            effects.Respond(context, Response(request, (topic, partition) => refused[(topic, partition)]));
            return;
        }
        writer.Append(group.Partition, batch, nowMs, effects, (outcome, laterEffects) =>
        {
            ErrorCode written = GroupLogWriter.ForOffsetCommit(outcome.ErrorCode);
            for (int i = 0; i < staged.Count; i++)
            {
                (TopicPartition topicPartition, long stageId, CommittedOffset offset) = staged[i];
                // The batch's records hold consecutive offsets in the order they were appended.
                if (written == ErrorCode.None && group.State != GroupState.Dead) group.Offsets.Complete(topicPartition, stageId, offset with { RecordOffset = outcome.BaseOffset + i });
                else group.Offsets.Fail(topicPartition, stageId);
            }
            laterEffects.Respond(context, Response(request, (topic, partition) => refused.GetValueOrDefault((topic, partition), written)));
        });
    }

    private ErrorCode PartitionError(TopicPartition partition, string? metadata)
    {
        if (!partitionExists(partition)) return ErrorCode.UnknownTopicOrPartition;
        // Kafka compares the metadata's length in UTF-16 units with offset.metadata.max.bytes.
        if (metadata is not null && metadata.Length > config.OffsetMetadataMaxBytes) return ErrorCode.OffsetMetadataTooLarge;
        return ErrorCode.None;
    }

    /// <summary>
    /// KafkaApis.handleOffsetCommitRequest: the commit time is now unless v1 names one; an expiry exists only if
    /// v2-v4 ask for a retention time; no metadata is stored as "".
    /// </summary>
    private static CommittedOffset OffsetOf(OffsetCommitRequest request, OffsetCommitRequest.OffsetCommitRequestPartition partition, long nowMs)
    {
        long commitTimestampMs = partition.CommitTimestamp == -1 ? nowMs : partition.CommitTimestamp;
        long? expireTimestampMs = request.RetentionTimeMs == -1 ? null : nowMs + request.RetentionTimeMs;
        return new CommittedOffset(partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata ?? "", commitTimestampMs, expireTimestampMs, RecordOffset: -1);
    }

    /// <summary>One result per partition asked for, in the request's order.</summary>
    private static OffsetCommitResponse Response(OffsetCommitRequest request, Func<string, int, ErrorCode> errorOf) => new()
    {
        Topics = request.Topics.Select(topic => new OffsetCommitResponse.OffsetCommitResponseTopic
        {
            Name = topic.Name,
            Partitions = topic.Partitions.Select(partition => new OffsetCommitResponse.OffsetCommitResponsePartition
            {
                PartitionIndex = partition.PartitionIndex,
                ErrorCode = (short)errorOf(topic.Name, partition.PartitionIndex),
            }).ToList(),
        }).ToList(),
    };
}
