using Reference.Client.Errors;
using Reference.Client.Network;
using Reference.Protocol.Messages;

namespace Reference.Client.Groups;

/// <summary>OffsetFetch and OffsetCommit against a group's coordinator.</summary>
internal static class CommittedOffsets
{
    /// <summary>The generation an admin commit (no member) uses; the coordinator accepts it only for an empty group.</summary>
    public const int NoGeneration = -1;

    /// <summary>
    /// The committed offset of each partition that has one; all of the group's partitions when
    /// <paramref name="partitions"/> is null (OffsetFetch v2+).
    /// </summary>
    public static async Task<SortedDictionary<TopicPartition, long>> FetchAsync(
        BrokerConnection coordinator, string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken)
    {
        short version = coordinator.VersionFor(ApiKey.OffsetFetch);
        if (partitions is null && version < 2)
            throw new KafkaProtocolException($"The broker at {coordinator.Endpoint} cannot list all of a group's offsets (OffsetFetch v{version}).");
        var request = new OffsetFetchRequest
        {
            GroupId = groupId,
            Topics = partitions?
                .GroupBy(p => p.Topic, StringComparer.Ordinal)
                .Select(t => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = t.Key, PartitionIndexes = t.Select(p => p.Partition).Order().ToList() })
                .ToList(),
        };
        OffsetFetchResponse response = await coordinator.SendAsync<OffsetFetchResponse>(request, version, cancellationToken);
        var groupError = (ErrorCode)response.ErrorCode;
        if (groupError != ErrorCode.None) throw KafkaApiException.From(groupError, $"Reading the committed offsets of group '{groupId}' failed");
        var committed = new SortedDictionary<TopicPartition, long>();
        foreach (var topic in response.Topics)
        foreach (var partition in topic.Partitions)
        {
            var error = (ErrorCode)partition.ErrorCode;
            if (error != ErrorCode.None)
                throw KafkaApiException.From(error, $"Reading the committed offset of {topic.Name}-{partition.PartitionIndex} for group '{groupId}' failed");
            if (partition.CommittedOffset >= 0) committed[new TopicPartition(topic.Name, partition.PartitionIndex)] = partition.CommittedOffset;
        }
        return committed;
    }

    /// <summary>Commits offsets as a member of a generation, or, with <see cref="NoGeneration"/> and no member id, as an admin.</summary>
    public static async Task CommitAsync(
        BrokerConnection coordinator, string groupId, int generationId, string memberId,
        IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken)
    {
        if (offsets.Count == 0) return;
        short version = coordinator.VersionFor(ApiKey.OffsetCommit);
        var request = new OffsetCommitRequest
        {
            GroupId = groupId,
            GenerationIdOrMemberEpoch = generationId,
            MemberId = memberId,
            Topics = offsets
                .GroupBy(o => o.Key.Topic, StringComparer.Ordinal)
                .Select(t => new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = t.Key,
                    Partitions = t.OrderBy(o => o.Key.Partition).Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition
                    {
                        PartitionIndex = o.Key.Partition,
                        CommittedOffset = o.Value,
                        CommittedMetadata = "",
                    }).ToList(),
                }).ToList(),
        };
        OffsetCommitResponse response = await coordinator.SendAsync<OffsetCommitResponse>(request, version, cancellationToken);
        foreach (var topic in response.Topics)
        foreach (var partition in topic.Partitions)
        {
            var error = (ErrorCode)partition.ErrorCode;
            if (error != ErrorCode.None)
                throw KafkaApiException.From(error, $"Committing the offset of {topic.Name}-{partition.PartitionIndex} for group '{groupId}' failed");
        }
    }
}
