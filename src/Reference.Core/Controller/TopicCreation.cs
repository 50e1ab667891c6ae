using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using CreatableTopic = Reference.Protocol.Messages.CreateTopicsRequest.CreatableTopic;
using CreatableTopicResult = Reference.Protocol.Messages.CreateTopicsResponse.CreatableTopicResult;

namespace Reference.Core.Controller;

/// <summary>
/// CreateTopics (Kafka's <c>ReplicationControlManager.createTopics</c>): validates each topic as Kafka does, in
/// Kafka's order (name, existence, name collision, configs, then partitions and placement), and writes a
/// TopicRecord, its ConfigRecords and a PartitionRecord per partition. Each topic is checked against the
/// controller's working image with the topics before it in the request already applied, so two creations
/// of one name, in one request or in two requests whose records are not yet committed, cannot both succeed.
/// Auto-created topics, <c>__consumer_offsets</c> included, arrive here as ordinary CreateTopics requests.
/// </summary>
internal sealed class TopicCreation(NodeConfig config, IDeterministicRandom random)
{
    /// <summary>Kafka's <c>MAX_PARTITIONS_PER_BATCH</c>: one request may not create more partitions, so one batch stays bounded.</summary>
    public const int PartitionsPerRequestMax = 10_000;

    /// <summary>Random ids collide with an existing one with negligible probability; a bounded retry makes "never" explicit.</summary>
    public const int TopicIdAttemptsMax = 16;

    public ControllerResult Create(CreateTopicsRequest request, short apiVersion, MetadataImage image)
    {
        var response = new CreateTopicsResponse();
        var records = new List<VersionedRecord>();
        bool tooMany = RequestedPartitions(request) > PartitionsPerRequestMax;
        SortedSet<string> duplicates = Duplicates(request.Topics.Select(t => t.Name));
        MetadataImage working = image;
        foreach (CreatableTopic topic in request.Topics)
        {
            if (tooMany)
            {
                response.Topics.Add(Failed(topic.Name, ErrorCode.PolicyViolation, "Excessively large number of partitions per request."));
                continue;
            }
            if (duplicates.Contains(topic.Name))
            {
                response.Topics.Add(Failed(topic.Name, ErrorCode.InvalidRequest, "Duplicate topic name."));
                continue;
            }
            var (result, topicRecords) = CreateOne(topic, apiVersion, working);
            response.Topics.Add(result);
            if (topicRecords.Count == 0) continue;
            working = working.Apply(topicRecords, working.Offset + 1);
            if (!request.ValidateOnly) records.AddRange(topicRecords);
        }
        return new ControllerResult(records, response);
    }

    /// <summary>Names that occur more than once; every occurrence is refused, as Kafka's ControllerApis refuses them.</summary>
    internal static SortedSet<string> Duplicates(IEnumerable<string> names)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var duplicates = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!seen.Add(name)) duplicates.Add(name);
        }
        return duplicates;
    }

    private static long RequestedPartitions(CreateTopicsRequest request) =>
        request.Topics.Sum(t => t.Assignments.Count > 0 ? t.Assignments.Count : (long)Math.Max(t.NumPartitions, 0));

    private (CreatableTopicResult, List<VersionedRecord>) CreateOne(CreatableTopic topic, short apiVersion, MetadataImage image)
    {
        string name = topic.Name;
        if (TopicNames.Validate(name) is string invalid) return (Failed(name, ErrorCode.InvalidTopicException, invalid), []);
        if (image.Topic(name) is not null) return (Failed(name, ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists."), []);
        if (Collision(name, image) is string other)
            return (Failed(name, ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic: {other}"), []);
        if (ConfigError(topic) is string configError) return (Failed(name, ErrorCode.InvalidConfig, configError), []);
        var (partitions, code, message) = Partitions(topic, image);
        if (partitions is null) return (Failed(name, code, message), []);

        Uuid topicId = NewTopicId(image);
        var records = new List<VersionedRecord> { new(new TopicRecord { Name = name, TopicId = topicId }, MetadataVersion.BaseRecordVersion) };
        foreach (var entry in topic.Configs)
        {
            var record = new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = name, Name = entry.Name, Value = entry.Value };
            records.Add(new VersionedRecord(record, MetadataVersion.BaseRecordVersion));
        }
        for (int p = 0; p < partitions.Count; p++) records.Add(PartitionAssignments.Record(topicId, p, partitions[p].Replicas, partitions[p].Isr, image));
        return (Succeeded(topic, topicId, partitions, apiVersion, image.Apply(records, image.Offset + 1)), records);
    }

    /// <summary>Another topic whose name differs only in '.' versus '_'.</summary>
    private static string? Collision(string name, MetadataImage image)
    {
        string key = TopicNames.CollisionKey(name);
        if (key == name && !name.Contains('_')) return null;
        return image.Topics.Keys.FirstOrDefault(existing => existing != name && TopicNames.CollisionKey(existing) == key);
    }

    private static string? ConfigError(CreatableTopic topic)
    {
        foreach (var entry in topic.Configs)
        {
            if (entry.Value is null) return $"Null value not supported for topic configs: {entry.Name}";
            if (TopicConfigCatalog.ValidateTopicConfig(entry.Name, entry.Value) is string error) return error;
        }
        return null;
    }

    private (List<(int[] Replicas, int[] Isr)>? Partitions, ErrorCode Code, string Message) Partitions(CreatableTopic topic, MetadataImage image)
    {
        if (topic.Assignments.Count > 0) return ManualPartitions(topic, image);
        if (topic.ReplicationFactor < -1 || topic.ReplicationFactor == 0)
            return (null, ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.");
        if (topic.NumPartitions < -1 || topic.NumPartitions == 0)
            return (null, ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.");
        int count = topic.NumPartitions == -1 ? config.NumPartitions : topic.NumPartitions;
        int replicationFactor = topic.ReplicationFactor == -1 ? config.DefaultReplicationFactor : topic.ReplicationFactor;
        var (placed, error) = ReplicaPlacer.Place(PartitionAssignments.ActiveBrokers(image), 0, count, replicationFactor, random);
        if (placed is null)
            return (null, ErrorCode.InvalidReplicationFactor, $"Unable to replicate the partition {replicationFactor} time(s): {error}");
        return ([.. placed.Select(replicas => (replicas, replicas))], ErrorCode.None, "");
    }

    private static (List<(int[] Replicas, int[] Isr)>? Partitions, ErrorCode Code, string Message) ManualPartitions(CreatableTopic topic, MetadataImage image)
    {
        if (topic.ReplicationFactor != -1)
            return (null, ErrorCode.InvalidRequest, "A manual partition assignment was specified, but replication factor was not set to -1.");
        if (topic.NumPartitions != -1)
            return (null, ErrorCode.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.");
        var byIndex = new SortedDictionary<int, int[]>();
        int? replicationFactor = null;
        foreach (var assignment in topic.Assignments)
        {
            if (byIndex.ContainsKey(assignment.PartitionIndex))
                return (null, ErrorCode.InvalidReplicaAssignment, $"Found multiple manual partition assignments for partition {assignment.PartitionIndex}");
            if (PartitionAssignments.ValidateManual(assignment.BrokerIds, replicationFactor, image) is string invalid)
                return (null, ErrorCode.InvalidReplicaAssignment, invalid);
            replicationFactor = assignment.BrokerIds.Count;
            byIndex[assignment.PartitionIndex] = [.. assignment.BrokerIds];
        }
        if (byIndex.Keys.First() != 0 || byIndex.Keys.Last() != byIndex.Count - 1)
            return (null, ErrorCode.InvalidReplicaAssignment, "Partitions should be a consecutive 0-based integer sequence");
        var partitions = new List<(int[], int[])>();
        foreach (var (index, replicas) in byIndex)
        {
            int[] isr = PartitionAssignments.ActiveReplicas(replicas, image);
            if (isr.Length == 0)
                return (null, ErrorCode.InvalidReplicaAssignment, $"All brokers specified in the manual partition assignment for partition {index} are fenced or in controlled shutdown.");
            partitions.Add((replicas, isr));
        }
        return (partitions, ErrorCode.None, "");
    }

    /// <summary>A random version-4 id that is not zero, not the metadata topic's, not taken, and does not print with a leading '-' (Kafka's <c>Uuid.randomUuid</c>).</summary>
    private Uuid NewTopicId(MetadataImage image)
    {
        Span<byte> bytes = stackalloc byte[Uuid.SizeBytes];
        for (int attempt = 0; attempt < TopicIdAttemptsMax; attempt++)
        {
            random.NextBytes(bytes);
            Uuid id = Uuid.FromRandomBytes(bytes);
            if (id != Uuid.Zero && id != Uuid.MetadataTopicId && !image.TopicNamesById.ContainsKey(id) && !id.ToString().StartsWith('-')) return id;
        }
        throw new InvalidOperationException($"no free topic id in {TopicIdAttemptsMax} random draws: the random source is broken");
    }

    private static CreatableTopicResult Failed(string name, ErrorCode code, string message) =>
        new() { Name = name, ErrorCode = (short)code, ErrorMessage = message };

    private CreatableTopicResult Succeeded(CreatableTopic topic, Uuid topicId, List<(int[] Replicas, int[] Isr)> partitions, short apiVersion, MetadataImage created)
    {
        var result = new CreatableTopicResult
        {
            Name = topic.Name,
            TopicId = topicId,
            NumPartitions = partitions.Count,
            ReplicationFactor = (short)partitions[0].Replicas.Length,
        };
        // KIP-525: from v5 the answer carries the new topic's configuration, as DescribeConfigs would show it.
        if (apiVersion >= 5)
        {
            result.Configs = [.. TopicConfigView.Describe(created, config, topic.Name).Select(e => new CreateTopicsResponse.CreatableTopicConfigs
            {
                Name = e.Name, Value = e.Value, ReadOnly = e.ReadOnly, ConfigSource = (sbyte)e.Source, IsSensitive = e.IsSensitive,
            })];
        }
        return result;
    }
}
