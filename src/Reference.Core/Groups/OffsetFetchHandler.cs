using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// OffsetFetch v0-v9 (Kafka's <c>GroupMetadataManager.getOffsets</c>): a group's committed offsets, -1 with
/// no metadata for a partition without one; all of them when no topics are named (v2+); several groups at
/// once from v8. Only committed commits are visible, so RequireStable (KIP-447) has nothing to wait for:
/// this coordinator keeps no transactional offsets. v9's member id and epoch concern KIP-848 groups only.
/// </summary>
internal sealed class OffsetFetchHandler(GroupCatalog catalog)
{
    /// <summary>Kafka's <c>OffsetFetchResponse.INVALID_OFFSET</c>: nothing committed.</summary>
    private const long NoOffset = -1;

    public void Handle(RequestContext context, OffsetFetchRequest request, Effects effects)
    {
        var response = new OffsetFetchResponse();
        if (context.ApiVersion >= 8)
        {
            foreach (OffsetFetchRequest.OffsetFetchRequestGroup asked in request.Groups)
            {
                List<(string, IReadOnlyList<int>)>? topics = asked.Topics?.Select(topic => (topic.Name, (IReadOnlyList<int>)topic.PartitionIndexes)).ToList();
                (ErrorCode error, List<PartitionOffset> offsets) = Fetch(asked.GroupId, topics);
                response.Groups.Add(GroupResult(asked.GroupId, error, offsets));
            }
        }
        else
        {
            List<(string, IReadOnlyList<int>)>? topics = request.Topics?.Select(topic => (topic.Name, (IReadOnlyList<int>)topic.PartitionIndexes)).ToList();
            (ErrorCode error, List<PartitionOffset> offsets) = Fetch(request.GroupId, topics);
            FillSingleGroup(response, context.ApiVersion, error, offsets, topics);
        }
        effects.Respond(context, response);
    }

    /// <summary>One partition's answer, in the order it will be written.</summary>
    private readonly record struct PartitionOffset(string Topic, int Partition, long Offset, int LeaderEpoch, string Metadata, ErrorCode Error);

    /// <summary>The group's offsets for the topics named (null: all it has), or the error that stands for them.</summary>
    private (ErrorCode Error, List<PartitionOffset> Offsets) Fetch(string groupId, IEnumerable<(string Name, IReadOnlyList<int> Partitions)>? topics)
    {
        ErrorCode status = catalog.Status(groupId, emptyGroupIdAllowed: true);
        if (status != ErrorCode.None) return (status, []);
        ClassicGroup? group = catalog.Find(groupId);
        // Kafka answers a Dead group, mid-deletion, as if it had no offsets.
        GroupOffsets? offsets = group is null || group.State == GroupState.Dead ? null : group.Offsets;
        if (topics is null)
        {
            return (ErrorCode.None, offsets is null ? [] : offsets.All.Select(entry => Found(entry.Key, entry.Value)).ToList());
        }
        var found = new List<PartitionOffset>();
        foreach ((string name, IReadOnlyList<int> partitions) in topics)
        {
            foreach (int partition in partitions)
            {
                var topicPartition = new TopicPartition(name, partition);
                found.Add(offsets is not null && offsets.TryGet(topicPartition, out CommittedOffset offset)
                    ? Found(topicPartition, offset)
                    : new PartitionOffset(name, partition, NoOffset, -1, "", ErrorCode.None));
            }
        }
        return (ErrorCode.None, found);
    }

    private static PartitionOffset Found(TopicPartition partition, CommittedOffset offset) =>
        new(partition.Topic, partition.Partition, offset.Offset, offset.LeaderEpoch, offset.Metadata, ErrorCode.None);

    /// <summary>
    /// v0-v7: from v2 an error is the response's own and lists nothing (Kafka's getErrorResponse); before v2
    /// there is no such field, so every partition asked for carries it.
    /// </summary>
    private static void FillSingleGroup(OffsetFetchResponse response, short version, ErrorCode error, List<PartitionOffset> offsets, IEnumerable<(string Name, IReadOnlyList<int> Partitions)>? topics)
    {
        if (error != ErrorCode.None && version < 2 && topics is not null)
        {
            offsets = topics.SelectMany(topic => topic.Partitions.Select(partition => new PartitionOffset(topic.Name, partition, NoOffset, -1, "", error))).ToList();
        }
        response.ErrorCode = (short)error;
        foreach (IGrouping<string, PartitionOffset> topic in GroupByTopic(offsets))
        {
            response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
            {
                Name = topic.Key,
                Partitions = topic.Select(offset => new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = offset.Partition,
                    CommittedOffset = offset.Offset,
                    CommittedLeaderEpoch = offset.LeaderEpoch,
                    Metadata = offset.Metadata,
                    ErrorCode = (short)offset.Error,
                }).ToList(),
            });
        }
    }

    private static OffsetFetchResponse.OffsetFetchResponseGroup GroupResult(string groupId, ErrorCode error, List<PartitionOffset> offsets) => new()
    {
        GroupId = groupId,
        ErrorCode = (short)error,
        Topics = GroupByTopic(offsets).Select(topic => new OffsetFetchResponse.OffsetFetchResponseTopics
        {
            Name = topic.Key,
            Partitions = topic.Select(offset => new OffsetFetchResponse.OffsetFetchResponsePartitions
            {
                PartitionIndex = offset.Partition,
                CommittedOffset = offset.Offset,
                CommittedLeaderEpoch = offset.LeaderEpoch,
                Metadata = offset.Metadata,
                ErrorCode = (short)offset.Error,
            }).ToList(),
        }).ToList(),
    };

    /// <summary>A topic's partitions become one entry; topics in the order they first appear, partitions in theirs.</summary>
    private static IEnumerable<IGrouping<string, PartitionOffset>> GroupByTopic(List<PartitionOffset> offsets) =>
        offsets.GroupBy(offset => offset.Topic, StringComparer.Ordinal);
}
