using Reference.Broker.Config;

namespace Reference.Broker.Tests.Config;

/// <summary>KIP-630's knobs, with Kafka's names and defaults, reach the node from server.properties.</summary>
public sealed class SnapshotConfigTests
{
    private const string Combined = """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@localhost:9093
        listeners=PLAINTEXT://:9092,CONTROLLER://:9093
        controller.listener.names=CONTROLLER
        log.dirs=/data/one
        """;

    [Fact]
    public void SnapshotKnobsDefaultToKafkas()
    {
        ConfigParseResult result = BrokerConfigParser.Parse(Combined);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        var node = result.Config!.Node;
        Assert.Equal((20L * 1024 * 1024, 3_600_000L, 100L * 1024 * 1024, 604_800_000L),
            (node.MetadataSnapshotMaxNewRecordBytes, node.MetadataSnapshotMaxIntervalMs, node.MetadataMaxRetentionBytes, node.MetadataMaxRetentionMs));
    }

    [Fact]
    public void SnapshotKnobsAreReadAndCheckedWithoutWarnings()
    {
        ConfigParseResult result = BrokerConfigParser.Parse(Combined + """

            metadata.log.max.record.bytes.between.snapshots=4096
            metadata.log.max.snapshot.interval.ms=0
            metadata.max.retention.bytes=-1
            metadata.max.retention.ms=60000
            """);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Warnings, w => w.Contains("metadata.", StringComparison.Ordinal));
        var node = result.Config!.Node;
        Assert.Equal((4096L, 0L, -1L, 60_000L),
            (node.MetadataSnapshotMaxNewRecordBytes, node.MetadataSnapshotMaxIntervalMs, node.MetadataMaxRetentionBytes, node.MetadataMaxRetentionMs));
        Assert.False(BrokerConfigParser.Parse(Combined + "\nmetadata.log.max.record.bytes.between.snapshots=0").IsSuccess);
    }
}
