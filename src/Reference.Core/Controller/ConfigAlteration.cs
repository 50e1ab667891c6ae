using System.Globalization;
using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// AlterConfigs and IncrementalAlterConfigs for topics and brokers (Kafka's <c>ConfigurationControlManager</c>):
/// each resource's new values are validated as a whole and written as ConfigRecords, one per key that
/// changes (a null value deletes). Broker resources, by id or the empty name for the cluster-wide default,
/// take the broker synonyms of topic keys (<c>log.retention.ms</c>, ...), the keys that topics fall back to.
/// </summary>
internal static class ConfigAlteration
{
    /// <summary>Kafka's <c>AlterConfigOp.OpType</c> codes.</summary>
    public const sbyte OpSet = 0;
    public const sbyte OpDelete = 1;
    public const sbyte OpAppend = 2;
    public const sbyte OpSubtract = 3;

    private readonly record struct Change(string Key, sbyte Op, string? Value);

    public static ControllerResult Incremental(IncrementalAlterConfigsRequest request, MetadataImage image)
    {
        var response = new IncrementalAlterConfigsResponse();
        var records = new List<VersionedRecord>();
        foreach (var resource in request.Resources)
        {
            var changes = resource.Configs.Select(c => new Change(c.Name, c.ConfigOperation, c.Value)).ToList();
            var (code, message, resourceRecords) = Alter(resource.ResourceType, resource.ResourceName, changes, replaceAll: false, image);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorCode = (short)code, ErrorMessage = message,
            });
            if (!request.ValidateOnly) records.AddRange(resourceRecords);
        }
        records.AddRange(EligibleLeaderReplicasCleared(records, image));
        return new ControllerResult(records, response);
    }

    /// <summary>The legacy AlterConfigs replaces a resource's whole set of overrides: keys it leaves out are deleted.</summary>
    public static ControllerResult Replace(AlterConfigsRequest request, MetadataImage image)
    {
        var response = new AlterConfigsResponse();
        var records = new List<VersionedRecord>();
        foreach (var resource in request.Resources)
        {
            var changes = resource.Configs.Select(c => new Change(c.Name, OpSet, c.Value)).ToList();
            var (code, message, resourceRecords) = Alter(resource.ResourceType, resource.ResourceName, changes, replaceAll: true, image);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorCode = (short)code, ErrorMessage = message,
            });
            if (!request.ValidateOnly) records.AddRange(resourceRecords);
        }
        records.AddRange(EligibleLeaderReplicasCleared(records, image));
        return new ControllerResult(records, response);
    }

    /// <summary>
    /// KIP-966: the ELR was chosen against the old min.insync.replicas (below it, the leader held the high
    /// watermark, so the members it took away held everything committed; at or above it, it did not), so a change
    /// of the value cleans the ELR and the last known leader of every partition it governs: the topic's for a topic
    /// override, every topic's for a broker-level one (Kafka cleans all of them when the cluster default changes).
    /// </summary>
    private static List<VersionedRecord> EligibleLeaderReplicasCleared(List<VersionedRecord> configRecords, MetadataImage image)
    {
        List<ConfigRecord> changes = [.. configRecords.Select(r => r.Record).OfType<ConfigRecord>().Where(r => r.Name == TopicConfigCatalog.MinInsyncReplicas)];
        if (changes.Count == 0) return [];
        IEnumerable<TopicImage> topics = changes.Any(r => r.ResourceType == (sbyte)ConfigResourceType.Broker)
            ? image.Topics.Values
            : changes.Select(r => r.ResourceName).Distinct().Order(StringComparer.Ordinal).Select(image.Topic).OfType<TopicImage>();
        var cleared = new List<VersionedRecord>();
        foreach (TopicImage topic in topics)
        {
            foreach (var (index, partition) in topic.Partitions)
            {
                if (partition.EligibleLeaderReplicas.Length == 0 && partition.LastKnownElr.Length == 0) continue;
                var change = new PartitionChangeRecord { TopicId = topic.TopicId, PartitionId = index, EligibleLeaderReplicas = [], LastKnownElr = [] };
                cleared.Add(new VersionedRecord(change, MetadataVersion.ElrRecordVersion));
            }
        }
        return cleared;
    }

    private static (ErrorCode, string?, List<VersionedRecord>) Alter(sbyte type, string name, List<Change> changes, bool replaceAll, MetadataImage image)
    {
        var (resource, code, message) = Resource(type, name, image);
        if (code != ErrorCode.None) return (code, message, []);
        var current = image.ConfigsOf(resource);
        if (MinInsyncReplicasRefusal(resource, changes, replaceAll, current) is string refused) return (ErrorCode.InvalidConfig, refused, []);
        var next = new SortedDictionary<string, string?>(replaceAll ? new Dictionary<string, string?>() : current.ToDictionary(e => e.Key, e => (string?)e.Value), StringComparer.Ordinal);
        foreach (Change change in changes)
        {
            ConfigDefinition? definition = resource.Type == ConfigResourceType.Topic ? TopicConfigCatalog.ForTopicKey(change.Key) : TopicConfigCatalog.ForBrokerKey(change.Key);
            if (definition is null)
            {
                return resource.Type == ConfigResourceType.Topic
                    ? (ErrorCode.InvalidConfig, $"Unknown topic config name: {change.Key}", [])
                    : (ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: Set({change.Key})", []);
            }
            var (value, error, errorMessage) = Apply(change, definition, next.GetValueOrDefault(change.Key));
            if (error != ErrorCode.None) return (error, errorMessage, []);
            next[change.Key] = value;
        }
        var records = new List<VersionedRecord>();
        foreach (string key in current.Keys.Concat(next.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            string? value = next.GetValueOrDefault(key);
            if (value == current.GetValueOrDefault(key)) continue;
            var record = new ConfigRecord { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, Name = key, Value = value };
            records.Add(new VersionedRecord(record, MetadataVersion.BaseRecordVersion));
        }
        return (ErrorCode.None, null, records);
    }

    /// <summary>
    /// KIP-966: with eligible leader replicas on (always, in this core) the controller judges a partition's ISR
    /// against min.insync.replicas as the topic, else the cluster-wide default, else the static configuration sets
    /// it, so a per-broker value, which would make the answer depend on which node is the active controller, is
    /// refused, and so is removing the cluster-wide default. Kafka 4's <c>ConfigurationControlManager</c>
    /// (<c>isDisallowedBrokerMinIsrTransition</c>, <c>isDisallowedClusterMinIsrTransition</c>) refuses both with
    /// INVALID_CONFIG and these messages, before it validates any value. Kafka writes a broker resource's record
    /// for every key a request names, changed or not (KAFKA-14136), so naming the key at all is refused for a
    /// broker, deleting it at all for the cluster default, and the legacy AlterConfigs' implicit deletion of a
    /// value it leaves out counts as a deletion. APPEND and SUBTRACT are left to <see cref="Apply"/>, which
    /// refuses them on this integer key first, as Kafka does.
    /// </summary>
    private static string? MinInsyncReplicasRefusal(ConfigResource resource, List<Change> changes, bool replaceAll, IReadOnlyDictionary<string, string> current)
    {
        if (resource.Type != ConfigResourceType.Broker) return null;
        const string Key = TopicConfigCatalog.MinInsyncReplicas;
        bool named = changes.Any(c => c.Key == Key && c.Op is OpSet or OpDelete);
        bool implicitlyDeleted = replaceAll && !named && current.ContainsKey(Key);
        if (resource.Name != ConfigResource.ClusterDefaultBrokerName)
            return named || implicitlyDeleted ? $"Broker-level {Key} cannot be altered while ELR is enabled." : null;
        bool deleted = implicitlyDeleted || changes.Any(c => c.Key == Key && (c.Op == OpDelete || (c.Op == OpSet && c.Value is null)));
        return deleted ? $"Cluster-level {Key} cannot be removed while ELR is enabled." : null;
    }

    private static (ConfigResource, ErrorCode, string?) Resource(sbyte type, string name, MetadataImage image)
    {
        var resource = new ConfigResource((ConfigResourceType)type, name);
        switch (resource.Type)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(name) is string invalid) return (resource, ErrorCode.InvalidTopicException, invalid);
                if (image.Topic(name) is null) return (resource, ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
                return (resource, ErrorCode.None, null);
            case ConfigResourceType.Broker:
                bool valid = name == ConfigResource.ClusterDefaultBrokerName
                    || (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id >= 0);
                return valid ? (resource, ErrorCode.None, null) : (resource, ErrorCode.InvalidRequest, $"Invalid broker name {name}");
            default:
                return (resource, ErrorCode.InvalidRequest, $"Unexpected resource type {type}");
        }
    }

    /// <summary>One operation on one key; APPEND and SUBTRACT work on lists, starting from the default when the key is unset.</summary>
    private static (string?, ErrorCode, string?) Apply(Change change, ConfigDefinition definition, string? current)
    {
        switch (change.Op)
        {
            case OpSet:
                if (change.Value is null) return (null, ErrorCode.InvalidRequest, $"Null value not supported for : {change.Key}");
                string? invalid = definition.Validate(change.Key, change.Value);
                return invalid is null ? (change.Value, ErrorCode.None, null) : (null, ErrorCode.InvalidConfig, invalid);
            case OpDelete:
                return (null, ErrorCode.None, null);
            case OpAppend or OpSubtract:
                string opName = change.Op == OpAppend ? "APPEND" : "SUBTRACT";
                if (definition.Type != ConfigType.List) return (null, ErrorCode.InvalidConfig, $"Can't {opName} to key {change.Key} because its type is not LIST.");
                var entries = ConfigDefinition.SplitList(current ?? definition.KafkaDefault).ToList();
                foreach (string entry in ConfigDefinition.SplitList(change.Value ?? ""))
                {
                    if (change.Op == OpAppend && !entries.Contains(entry)) entries.Add(entry);
                    if (change.Op == OpSubtract) entries.Remove(entry);
                }
                string joined = string.Join(",", entries);
                string? invalidList = definition.Validate(change.Key, joined);
                return invalidList is null ? (joined, ErrorCode.None, null) : (null, ErrorCode.InvalidConfig, invalidList);
            default:
                return (null, ErrorCode.InvalidRequest, $"Unknown config operation {change.Op}");
        }
    }
}
