using System.Globalization;
using Reference.Core.Node;

namespace Reference.Core.Metadata;

/// <summary>
/// The topic configuration keys we know, with Kafka 3.9's defaults and validators (<c>LogConfig</c>), and the
/// broker keys they fall back to. A key outside this catalog is refused with Kafka's
/// <c>Unknown topic config name: K</c>. The keys of tiered storage and replication throttling are left out:
/// nothing here acts on them.
/// </summary>
public static class TopicConfigCatalog
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string FlushMessages = "flush.messages";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentMs = "segment.ms";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";

    public const string CleanupPolicyCompact = "compact";
    public const string CleanupPolicyDelete = "delete";

    private const string LongMax = "9223372036854775807";

    /// <summary>The definitions, in name order.</summary>
    public static IReadOnlyList<ConfigDefinition> All { get; } = Build();

    private static readonly Dictionary<string, ConfigDefinition> ByTopicKey = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, ConfigDefinition> ByBrokerKey = All.ToDictionary(d => d.BrokerSynonym, StringComparer.Ordinal);

    public static ConfigDefinition? ForTopicKey(string name) => ByTopicKey.GetValueOrDefault(name);

    /// <summary>The topic key whose broker-level synonym is <paramref name="brokerKey"/>: the broker keys that can be set dynamically.</summary>
    public static ConfigDefinition? ForBrokerKey(string brokerKey) => ByBrokerKey.GetValueOrDefault(brokerKey);

    /// <summary>Null when a topic may set <paramref name="name"/> to <paramref name="value"/>; else Kafka's INVALID_CONFIG message.</summary>
    public static string? ValidateTopicConfig(string name, string value) =>
        ForTopicKey(name) is ConfigDefinition definition ? definition.Validate(name, value) : $"Unknown topic config name: {name}";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static IReadOnlyList<ConfigDefinition> Build()
    {
        ConfigDefinition[] definitions =
        [
            new(CleanupPolicy, "log.cleanup.policy", ConfigType.List, CleanupPolicyDelete, ValidValues: [CleanupPolicyCompact, CleanupPolicyDelete]),
            new(CompressionType, "compression.type", ConfigType.String, "producer", ValidValues: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
            new(DeleteRetentionMs, "log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", Min: 0),
            new("file.delete.delay.ms", "log.segment.delete.delay.ms", ConfigType.Long, "60000", Min: 0),
            new(FlushMessages, "log.flush.interval.messages", ConfigType.Long, LongMax, c => c.FlushBeforeAcknowledge ? "1" : LongMax, Min: 1),
            new("flush.ms", "log.flush.interval.ms", ConfigType.Long, LongMax, Min: 0),
            new("index.interval.bytes", "log.index.interval.bytes", ConfigType.Int, "4096", Min: 0),
            new("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", ConfigType.Long, LongMax, Min: 1),
            new(MaxMessageBytes, "message.max.bytes", ConfigType.Int, "1048588", c => Number(c.MessageMaxBytes), Min: 0),
            new("message.downconversion.enable", "log.message.downconversion.enable", ConfigType.Boolean, "true"),
            new("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", ConfigType.Long, LongMax, Min: 0),
            new("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", ConfigType.Long, LongMax, Min: 0),
            new(MessageTimestampType, "log.message.timestamp.type", ConfigType.String, "CreateTime", ValidValues: ["CreateTime", "LogAppendTime"]),
            new("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", Min: 0, Max: 1),
            new("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0", Min: 0),
            new(MinInsyncReplicas, "min.insync.replicas", ConfigType.Int, "1", c => Number(c.MinInsyncReplicas), Min: 1),
            new("preallocate", "log.preallocate", ConfigType.Boolean, "false"),
            new(RetentionBytes, "log.retention.bytes", ConfigType.Long, "-1", c => Number(c.LogRetentionBytes)),
            new(RetentionMs, "log.retention.ms", ConfigType.Long, "604800000", c => Number(c.LogRetentionMs), Min: -1),
            // 14 bytes: Kafka's floor, the overhead of the smallest legacy record (LegacyRecord.RECORD_OVERHEAD_V0).
            new(SegmentBytes, "log.segment.bytes", ConfigType.Int, "1073741824", c => Number(c.LogSegmentBytes), Min: 14),
            new("segment.index.bytes", "log.index.size.max.bytes", ConfigType.Int, "10485760", Min: 4),
            new("segment.jitter.ms", "log.roll.jitter.ms", ConfigType.Long, "0", Min: 0),
            new(SegmentMs, "log.roll.ms", ConfigType.Long, "604800000", c => Number(c.LogRollMs), Min: 1),
            new(UncleanLeaderElectionEnable, "unclean.leader.election.enable", ConfigType.Boolean, "false"),
        ];
        for (int i = 1; i < definitions.Length; i++)
        {
            if (string.CompareOrdinal(definitions[i - 1].Name, definitions[i].Name) >= 0)
                throw new InvalidOperationException($"the catalog must be in name order: {definitions[i - 1].Name} before {definitions[i].Name}");
        }
        return definitions;
    }
}
