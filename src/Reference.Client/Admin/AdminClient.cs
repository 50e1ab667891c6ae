using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Protocol.Messages;

namespace Reference.Client.Admin;

/// <summary>
/// Kafka's admin operations over a <see cref="ClusterClient"/>: topics and their configs here; groups,
/// offsets and the cluster in the other parts of this class. Errors come back as
/// <see cref="KafkaClientException"/>s whose message a tool can print as it is.
/// </summary>
public sealed partial class AdminClient(ClusterClient cluster)
{
    /// <summary>DescribeConfigs' resource type for topics.</summary>
    private const sbyte TopicResourceType = 2;

    private const int AdminTimeoutMs = 30_000;

    public ClusterClient Cluster { get; } = cluster;

    /// <summary>Creates a topic; returns its id (zero before CreateTopics v7).</summary>
    public async Task<Protocol.Primitives.Uuid> CreateTopicAsync(NewTopic topic, CancellationToken cancellationToken = default)
    {
        CreateTopicsResponse response = await SendToControllerAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version => new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = topic.Name,
                    // -1 asks for the broker's default; CreateTopics before v4 needs explicit values.
                    NumPartitions = topic.Partitions ?? (version >= 4 ? -1 : 1),
                    ReplicationFactor = topic.ReplicationFactor ?? (short)(version >= 4 ? -1 : 1),
                    Configs = topic.Configs
                        .Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value })
                        .ToList(),
                },
            ],
            TimeoutMs = AdminTimeoutMs,
        }, cancellationToken);
        var result = response.Topics.FirstOrDefault(t => t.Name == topic.Name)
            ?? throw new KafkaProtocolException($"The answer to CreateTopics left out topic '{topic.Name}'.");
        var error = (ErrorCode)result.ErrorCode;
        if (error == ErrorCode.TopicAlreadyExists) throw new KafkaApiException(error, $"Topic '{topic.Name}' already exists.");
        if (error != ErrorCode.None) throw KafkaApiException.From(error, $"Creating topic '{topic.Name}' failed", result.ErrorMessage);
        return result.TopicId;
    }

    /// <summary>Topic names in order; internal topics (__consumer_offsets) only when asked for.</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(bool includeInternal, CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await Cluster.RefreshMetadataAsync(null, allowAutoTopicCreation: false, cancellationToken);
        return metadata.Topics.Where(t => includeInternal || !t.IsInternal).Select(t => t.Name).ToList();
    }

    /// <summary>Kafka's admin client asks for at most this many partitions per DescribeTopicPartitions answer.</summary>
    public const int PartitionsPerPageDefault = 2000;

    /// <summary>
    /// The most DescribeTopicPartitions pages one description reads: each page must move the cursor forward, and
    /// this many pages of one partition each are more partitions than a cluster holds.
    /// </summary>
    private const int DescribePagesMax = 1_000_000;

    /// <summary>Partitions, leaders and replicas of the named topics (all topics when null), in name order.</summary>
    public Task<IReadOnlyList<TopicMetadata>> DescribeTopicsAsync(IReadOnlyCollection<string>? names, CancellationToken cancellationToken = default) =>
        DescribeTopicsAsync(names, PartitionsPerPageDefault, cancellationToken);

    /// <summary>
    /// Partitions, leaders, replicas and ISR of the named topics (all topics when null), in name order. Where the
    /// broker serves DescribeTopicPartitions (Kafka 3.7+, KIP-966) it is read a page of at most
    /// <paramref name="partitionsPerPage"/> partitions at a time, following the answer's cursor, and carries
    /// each partition's eligible leader replicas and last known ELR; elsewhere Metadata answers without them,
    /// as Kafka's admin client falls back.
    /// </summary>
    public async Task<IReadOnlyList<TopicMetadata>> DescribeTopicsAsync(IReadOnlyCollection<string>? names, int partitionsPerPage, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionsPerPage, 1);
        if (names is { Count: 0 }) return [];
        BrokerConnection connection = await Cluster.ConnectToAnyAsync(cancellationToken);
        if (!connection.Versions.Supports(ApiKey.DescribeTopicPartitions))
            return (await Cluster.RefreshMetadataAsync(names, allowAutoTopicCreation: false, cancellationToken)).Topics;
        short version = connection.VersionFor(ApiKey.DescribeTopicPartitions);
        var topics = new SortedDictionary<string, TopicMetadata>(StringComparer.Ordinal);
        DescribeTopicPartitionsResponse.Cursor? cursor = null;
        for (int page = 0; page < DescribePagesMax; page++)
        {
            var request = new DescribeTopicPartitionsRequest
            {
                // An empty list asks for every topic.
                Topics = names?.Select(name => new DescribeTopicPartitionsRequest.TopicRequest { Name = name }).ToList() ?? [],
                ResponsePartitionLimit = partitionsPerPage,
                Cursor = cursor is null ? null : new DescribeTopicPartitionsRequest.CursorData { TopicName = cursor.TopicName, PartitionIndex = cursor.PartitionIndex },
            };
            var response = await connection.SendAsync<DescribeTopicPartitionsResponse>(request, version, cancellationToken);
            foreach (var topic in response.Topics) AddPage(topics, topic);
            if (response.NextCursor is not { } next) return topics.Values.ToList();
            if (cursor is not null && !IsAfter(next, cursor))
                throw new KafkaProtocolException($"DescribeTopicPartitions' cursor went from {cursor.TopicName}-{cursor.PartitionIndex} back to {next.TopicName}-{next.PartitionIndex}.");
            cursor = next;
        }
        throw new KafkaProtocolException($"DescribeTopicPartitions still had more after {DescribePagesMax} pages.");
    }

    private static bool IsAfter(DescribeTopicPartitionsResponse.Cursor next, DescribeTopicPartitionsResponse.Cursor previous)
    {
        int byTopic = string.CompareOrdinal(next.TopicName, previous.TopicName);
        return byTopic > 0 || (byTopic == 0 && next.PartitionIndex > previous.PartitionIndex);
    }

    /// <summary>Adds one page's account of a topic; a topic split over pages gets the later partitions appended.</summary>
    private static void AddPage(SortedDictionary<string, TopicMetadata> topics, DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic topic)
    {
        if (topic.Name is null) return;
        var partitions = topic.Partitions.Select(p => new PartitionMetadata(
            p.PartitionIndex, p.LeaderId, p.LeaderEpoch, p.ReplicaNodes, p.IsrNodes, p.OfflineReplicas, (ErrorCode)p.ErrorCode,
            p.EligibleLeaderReplicas, p.LastKnownElr));
        topics[topic.Name] = topics.TryGetValue(topic.Name, out TopicMetadata? earlier)
            ? earlier with { Partitions = [.. earlier.Partitions.Concat(partitions).OrderBy(p => p.Partition)] }
            : new TopicMetadata(topic.Name, topic.TopicId, topic.IsInternal, (ErrorCode)topic.ErrorCode, [.. partitions.OrderBy(p => p.Partition)]);
    }

    /// <summary>Each topic's config entries, as DescribeConfigs lists them.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ConfigEntry>>> DescribeTopicConfigsAsync(
        IReadOnlyCollection<string> topics, CancellationToken cancellationToken = default)
    {
        var configs = new SortedDictionary<string, IReadOnlyList<ConfigEntry>>(StringComparer.Ordinal);
        if (topics.Count == 0) return configs;
        DescribeConfigsResponse response = await Cluster.SendToAnyAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, _ => new DescribeConfigsRequest
        {
            Resources = topics.Select(t => new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = TopicResourceType, ResourceName = t }).ToList(),
        }, cancellationToken);
        foreach (var result in response.Results)
        {
            var error = (ErrorCode)result.ErrorCode;
            if (error != ErrorCode.None) throw KafkaApiException.From(error, $"Describing the configs of topic '{result.ResourceName}' failed", result.ErrorMessage);
            configs[result.ResourceName] = result.Configs.Select(c => new ConfigEntry(
                c.Name,
                c.Value,
                // v0 has only IsDefault; ConfigSource starts at v1.
                c.ConfigSource >= 0 ? (ConfigSource)c.ConfigSource : c.IsDefault ? ConfigSource.DefaultConfig : ConfigSource.Unknown,
                c.IsSensitive,
                c.ReadOnly)).ToList();
        }
        return configs;
    }

    /// <summary>Grows a topic to <paramref name="totalCount"/> partitions (Kafka never shrinks one).</summary>
    public async Task CreatePartitionsAsync(string topic, int totalCount, CancellationToken cancellationToken = default)
    {
        CreatePartitionsResponse response = await SendToControllerAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, _ => new CreatePartitionsRequest
        {
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = topic, Count = totalCount, Assignments = null }],
            TimeoutMs = AdminTimeoutMs,
        }, cancellationToken);
        foreach (var result in response.Results)
        {
            var error = (ErrorCode)result.ErrorCode;
            if (error != ErrorCode.None) throw KafkaApiException.From(error, $"Changing the partitions of topic '{result.Name}' failed", result.ErrorMessage);
        }
    }

    public async Task DeleteTopicsAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken = default)
    {
        DeleteTopicsResponse response = await SendToControllerAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, version => new DeleteTopicsRequest
        {
            // v6 names topics in structs (so they can be named by id instead); before, in a list of names.
            Topics = version >= 6 ? topics.Select(t => new DeleteTopicsRequest.DeleteTopicState { Name = t }).ToList() : [],
            TopicNames = version < 6 ? topics.ToList() : [],
            TimeoutMs = AdminTimeoutMs,
        }, cancellationToken);
        foreach (var result in response.Responses)
        {
            var error = (ErrorCode)result.ErrorCode;
            if (error != ErrorCode.None) throw KafkaApiException.From(error, $"Deleting topic '{result.Name}' failed", result.ErrorMessage);
        }
    }

    /// <summary>
    /// Sends a controller-bound admin request to the node metadata names as controller (in KRaft a broker
    /// there forwards it to the active controller), or to any broker when that node is not listed.
    /// </summary>
    private async Task<TResponse> SendToControllerAsync<TResponse>(ApiKey apiKey, Func<short, IRequestBody> build, CancellationToken cancellationToken)
        where TResponse : class, IResponseBody
    {
        ClusterMetadata metadata = await Cluster.RefreshMetadataAsync([], allowAutoTopicCreation: false, cancellationToken);
        return metadata.Broker(metadata.ControllerId) is not null
            ? await Cluster.SendToNodeAsync<TResponse>(metadata.ControllerId, apiKey, build, cancellationToken)
            : await Cluster.SendToAnyAsync<TResponse>(apiKey, build, cancellationToken);
    }
}
