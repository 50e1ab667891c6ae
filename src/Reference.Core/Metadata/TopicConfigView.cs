using System.Globalization;
using Reference.Core.Node;

namespace Reference.Core.Metadata;

/// <summary>Kafka's <c>DescribeConfigsResponse.ConfigSource</c>: where an effective value comes from.</summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,
    TopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
}

/// <summary>One entry of a DescribeConfigs answer (and of a CreateTopics v5+ answer).</summary>
public sealed record ConfigEntryView(string Name, string? Value, ConfigSource Source, bool ReadOnly, bool IsSensitive, ConfigType Type)
{
    /// <summary>DescribeConfigs v0's IsDefault: Kafka sets it exactly when the value is the built-in default.</summary>
    public bool IsDefault => Source == ConfigSource.DefaultConfig;
}

/// <summary>
/// The effective configuration of a topic as one node sees it (Kafka's <c>ConfigHelper</c> and
/// <c>LogConfig</c> fallback): the topic's override if it has one, else the broker's dynamic value for this
/// node, else the cluster-wide dynamic default, else this node's static configuration, else Kafka's default.
/// A static value equal to Kafka's default is reported as DEFAULT_CONFIG, since we cannot tell whether
/// server.properties spelled it out.
/// </summary>
public static class TopicConfigView
{
    /// <summary>Every known key of the topic, in name order, for DescribeConfigs.</summary>
    public static IReadOnlyList<ConfigEntryView> Describe(MetadataImage image, NodeConfig node, string topic) =>
        TopicConfigCatalog.All.Select(definition => Resolve(image, node, topic, definition)).ToArray();

    /// <summary>One key's effective entry, or null for a key that is not a topic config.</summary>
    public static ConfigEntryView? Describe(MetadataImage image, NodeConfig node, string topic, string key) =>
        TopicConfigCatalog.ForTopicKey(key) is ConfigDefinition definition ? Resolve(image, node, topic, definition) : null;

    /// <summary>The values the data plane acts on, typed.</summary>
    public static EffectiveTopicConfig Effective(MetadataImage image, NodeConfig node, string topic)
    {
        string Value(string key) => Resolve(image, node, topic, TopicConfigCatalog.ForTopicKey(key)!).Value!;
        IReadOnlyList<string> policy = ConfigDefinition.SplitList(Value(TopicConfigCatalog.CleanupPolicy));
        return new EffectiveTopicConfig(
            RetentionMs: ParseLong(Value(TopicConfigCatalog.RetentionMs)),
            RetentionBytes: ParseLong(Value(TopicConfigCatalog.RetentionBytes)),
            SegmentBytes: ParseLong(Value(TopicConfigCatalog.SegmentBytes)),
            SegmentMs: ParseLong(Value(TopicConfigCatalog.SegmentMs)),
            MinInsyncReplicas: (int)ParseLong(Value(TopicConfigCatalog.MinInsyncReplicas)),
            MaxMessageBytes: (int)ParseLong(Value(TopicConfigCatalog.MaxMessageBytes)),
            Compact: policy.Contains(TopicConfigCatalog.CleanupPolicyCompact),
            Delete: policy.Contains(TopicConfigCatalog.CleanupPolicyDelete),
            CompressionType: Value(TopicConfigCatalog.CompressionType),
            MessageTimestampType: Value(TopicConfigCatalog.MessageTimestampType),
            FlushMessages: ParseLong(Value(TopicConfigCatalog.FlushMessages)),
            DeleteRetentionMs: ParseLong(Value(TopicConfigCatalog.DeleteRetentionMs)),
            UncleanLeaderElectionEnable: bool.Parse(Value(TopicConfigCatalog.UncleanLeaderElectionEnable)));
    }

    private static ConfigEntryView Resolve(MetadataImage image, NodeConfig node, string topic, ConfigDefinition definition)
    {
        var (value, source) = ResolveValue(image, node, topic, definition);
        return new ConfigEntryView(definition.Name, value, source, ReadOnly: false, IsSensitive: false, definition.Type);
    }

    private static (string Value, ConfigSource Source) ResolveValue(MetadataImage image, NodeConfig node, string topic, ConfigDefinition definition) =>
        image.ConfigsOf(ConfigResource.ForTopic(topic)).TryGetValue(definition.Name, out string? overridden)
            ? (overridden, ConfigSource.TopicConfig)
            : ResolveBrokerLevel(image, node, definition);

    /// <summary>The value this node's broker runs with for the key's broker synonym, and where it comes from.</summary>
    internal static (string Value, ConfigSource Source) ResolveBrokerLevel(MetadataImage image, NodeConfig node, ConfigDefinition definition)
    {
        if (image.ConfigsOf(ConfigResource.ForBroker(node.NodeId)).TryGetValue(definition.BrokerSynonym, out string? perBroker))
            return (perBroker, ConfigSource.DynamicBrokerConfig);
        if (image.ConfigsOf(ConfigResource.ClusterDefaultBroker).TryGetValue(definition.BrokerSynonym, out string? clusterDefault))
            return (clusterDefault, ConfigSource.DynamicDefaultBrokerConfig);
        string? staticValue = definition.StaticBrokerValue?.Invoke(node);
        return staticValue is not null && staticValue != definition.KafkaDefault
            ? (staticValue, ConfigSource.StaticBrokerConfig)
            : (definition.KafkaDefault, ConfigSource.DefaultConfig);
    }

    private static long ParseLong(string value) => long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}

/// <summary>A topic's effective settings, typed, for the log and replication rooms.</summary>
public sealed record EffectiveTopicConfig(
    long RetentionMs,
    long RetentionBytes,
    long SegmentBytes,
    long SegmentMs,
    int MinInsyncReplicas,
    int MaxMessageBytes,
    bool Compact,
    bool Delete,
    string CompressionType,
    string MessageTimestampType,
    long FlushMessages,
    long DeleteRetentionMs,
    bool UncleanLeaderElectionEnable);
