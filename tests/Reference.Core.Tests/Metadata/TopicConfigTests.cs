using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

public sealed class TopicConfigTests
{
    private static readonly NodeConfig Node = NodeConfigFor(1) with { LogRetentionMs = 3_600_000 };

    public static TheoryData<string, string, string?> Validations => new()
    {
        { "retention.ms", "86400000", null },
        { "retention.ms", "-1", null },
        { "retention.ms", "abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG" },
        { "retention.ms", "-2", "Invalid value -2 for configuration retention.ms: Value must be at least -1" },
        { "segment.bytes", "10", "Invalid value 10 for configuration segment.bytes: Value must be at least 14" },
        { "segment.bytes", "4294967296", "Invalid value 4294967296 for configuration segment.bytes: Not a number of type INT" },
        { "cleanup.policy", "compact,delete", null },
        { "cleanup.policy", "compact, delete", null },
        { "cleanup.policy", "forever", "Invalid value forever for configuration cleanup.policy: String must be one of: compact, delete" },
        { "min.cleanable.dirty.ratio", "1.5", "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1.0" },
        { "unclean.leader.election.enable", "yes", "Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false" },
        { "compression.type", "brotli", "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer" },
        { "retention.hours", "1", "Unknown topic config name: retention.hours" },
    };

    [Theory]
    [MemberData(nameof(Validations))]
    public void TopicConfigsAreValidatedWithKafkasMessages(string key, string value, string? expected)
    {
        Assert.Equal(expected, TopicConfigCatalog.ValidateTopicConfig(key, value));
    }

    [Fact]
    public void AnOverrideComesFromTheTopicAndEverythingElseFromTheBrokerOrKafkasDefaults()
    {
        MetadataImage image = MetadataImage.Empty.Apply([V(Topic("t", Id(1))), V(TopicConfig("t", "cleanup.policy", "compact"))], 0);

        IReadOnlyList<ConfigEntryView> entries = TopicConfigView.Describe(image, Node, "t");

        Assert.Equal(TopicConfigCatalog.All.Select(d => d.Name), entries.Select(e => e.Name));
        ConfigEntryView policy = entries.Single(e => e.Name == "cleanup.policy");
        Assert.Equal(("compact", ConfigSource.TopicConfig, false), (policy.Value, policy.Source, policy.IsDefault));
        ConfigEntryView retention = entries.Single(e => e.Name == "retention.ms");
        Assert.Equal(("3600000", ConfigSource.StaticBrokerConfig), (retention.Value, retention.Source));
        ConfigEntryView segment = entries.Single(e => e.Name == "segment.bytes");
        Assert.Equal(("1073741824", ConfigSource.DefaultConfig, true, ConfigType.Int), (segment.Value, segment.Source, segment.IsDefault, segment.Type));
    }

    [Fact]
    public void DynamicBrokerConfigsOverrideStaticOnesAndPerBrokerBeatsTheClusterDefault()
    {
        ConfigRecord Broker(string name, string key, string value) =>
            new() { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = name, Name = key, Value = value };
        MetadataImage image = MetadataImage.Empty.Apply(
            [V(Topic("t", Id(1))), V(Broker("", "log.retention.ms", "1000")), V(Broker("", "log.segment.bytes", "2000")), V(Broker("1", "log.segment.bytes", "3000"))], 0);

        Assert.Equal(("1000", ConfigSource.DynamicDefaultBrokerConfig), Pick(image, "retention.ms"));
        Assert.Equal(("3000", ConfigSource.DynamicBrokerConfig), Pick(image, "segment.bytes"));
        Assert.Null(TopicConfigView.Describe(image, Node, "t", "log.segment.bytes"));
    }

    private static (string?, ConfigSource) Pick(MetadataImage image, string key)
    {
        ConfigEntryView entry = TopicConfigView.Describe(image, Node, "t", key)!;
        return (entry.Value, entry.Source);
    }

    [Fact]
    public void TheEffectiveConfigIsTyped()
    {
        MetadataImage image = MetadataImage.Empty.Apply(
            [V(Topic(TopicNames.ConsumerOffsets, Id(1))), V(TopicConfig(TopicNames.ConsumerOffsets, "cleanup.policy", "compact")), V(TopicConfig(TopicNames.ConsumerOffsets, "segment.bytes", "104857600"))], 0);

        EffectiveTopicConfig config = TopicConfigView.Effective(image, Node with { FlushBeforeAcknowledge = true, MinInsyncReplicas = 2 }, TopicNames.ConsumerOffsets);

        Assert.True(config.Compact);
        Assert.False(config.Delete);
        Assert.Equal(104_857_600, config.SegmentBytes);
        Assert.Equal(3_600_000, config.RetentionMs);
        Assert.Equal(2, config.MinInsyncReplicas);
        Assert.Equal(1, config.FlushMessages);
        Assert.Equal("producer", config.CompressionType);
    }
}
