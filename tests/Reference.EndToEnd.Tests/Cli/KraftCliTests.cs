using System.Text.RegularExpressions;
using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.Cli;

/// <summary>
/// The kraft command's client verbs, run as processes against the broker, the way a Kafka user runs
/// kafka-topics.sh, kafka-console-producer.sh, kafka-console-consumer.sh and kafka-consumer-groups.sh.
/// </summary>
public sealed partial class KraftCliTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    /// <summary>--timeout-ms for console-consumer: it stops waiting for records that will not come.</summary>
    private const string ConsumerIdleTimeoutMs = "30000";

    private KraftBroker Broker => fixture.Broker;

    [Fact]
    public Task TopicsCreateListAndDescribeInKafkasShapes() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "cli-described";

        ChildProcess create = await session.RunAsync(Topics("--create", "--topic", topic, "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=60000"));
        Assert.Equal(0, create.ExitCode);
        Assert.Equal(["Created topic cli-described."], create.StandardOutput.Snapshot());

        ChildProcess list = await session.RunAsync(Topics("--list"));
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(topic, list.StandardOutput.Snapshot());

        await session.Cluster.WaitForLeadersAsync(topic, 3);
        // One partition per DescribeTopicPartitions answer: the command follows the broker's cursor over three pages.
        ChildProcess describe = await session.RunAsync(Topics("--describe", "--topic", topic, "--partition-size-limit-per-response", "1"));
        Assert.Equal(0, describe.ExitCode);
        IReadOnlyList<string> lines = describe.StandardOutput.Snapshot();
        Assert.Equal(4, lines.Count);
        Match topicLine = TopicLine().Match(lines[0]);
        Assert.True(topicLine.Success, $"not kafka-topics.sh's topic line: '{lines[0]}'");
        Assert.Equal(topic, topicLine.Groups["topic"].Value);
        Assert.Contains("retention.ms=60000", topicLine.Groups["configs"].Value.Split(','));
        for (int partition = 0; partition < 3; partition++)
        {
            Match partitionLine = PartitionLine().Match(lines[partition + 1]);
            Assert.True(partitionLine.Success, $"not kafka-topics.sh's partition line: '{lines[partition + 1]}'");
            Assert.Equal((topic, $"{partition}"), (partitionLine.Groups["topic"].Value, partitionLine.Groups["partition"].Value));
            // Served by DescribeTopicPartitions (KIP-966), so the ELR columns are lists (empty: one replica), not N/A.
            Assert.Equal(("", ""), (partitionLine.Groups["elr"].Value, partitionLine.Groups["lastKnownElr"].Value));
        }
    });

    [Fact]
    public Task ConsoleProducerKeysRoundTripThroughConsoleConsumer() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "cli-roundtrip";
        const int count = 100;
        await session.Cluster.CreateTopicAsync(topic, 1);
        var lines = Enumerable.Range(0, count).Select(i => $"key-{i}:value {i}").ToList();

        ChildProcess produce = await session.RunAsync(
            Kraft("console-producer", "--topic", topic, "--property", "parse.key=true", "--property", "key.separator=:"),
            string.Join("\n", lines) + "\n");
        Assert.Equal(0, produce.ExitCode);

        ChildProcess consume = await session.RunAsync(Kraft("console-consumer", "--topic", topic, "--from-beginning",
            "--max-messages", $"{count}", "--property", "print.key=true", "--timeout-ms", ConsumerIdleTimeoutMs));
        Assert.Equal(0, consume.ExitCode);
        // One partition keeps the order; print.key puts the key and a tab (the default key.separator) first.
        Assert.Equal(lines.Select(l => l.Replace(':', '\t')), consume.StandardOutput.Snapshot());
        Assert.Contains($"Processed a total of {count} messages", consume.StandardError.Snapshot());
    });

    [Fact]
    public Task ConsumerGroupsListsAndDescribesAGroupAfterItConsumed() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "cli-grouped";
        const string group = "cli-group";
        const int count = 50;
        await session.Cluster.CreateTopicAsync(topic, 2);
        await session.Cluster.ProduceAsync(topic, Enumerable.Range(0, count).Select(i => ($"key-{i}", $"value-{i}")));
        IReadOnlyDictionary<int, long> ends = await session.Cluster.EndOffsetsAsync(topic);

        ChildProcess consume = await session.RunAsync(Kraft("console-consumer", "--topic", topic, "--group", group, "--from-beginning",
            "--max-messages", $"{count}", "--timeout-ms", ConsumerIdleTimeoutMs));
        Assert.Equal(0, consume.ExitCode);
        Assert.Equal(count, consume.StandardOutput.Count);

        ChildProcess list = await session.RunAsync(Kraft("consumer-groups", "--list"));
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(group, list.StandardOutput.Snapshot());

        ChildProcess describe = await session.RunAsync(Kraft("consumer-groups", "--describe", "--group", group));
        Assert.Equal(0, describe.ExitCode);
        // The console consumer left the group after committing: Kafka notes the empty group on stderr.
        Assert.Contains($"Consumer group '{group}' has no active members.", describe.StandardError.Snapshot());
        var rows = describe.StandardOutput.Snapshot().Where(l => l.Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"], rows[0]);
        var expectedRows = ends.OrderBy(e => e.Key)
            .Select(e => new[] { group, topic, $"{e.Key}", $"{e.Value}", $"{e.Value}", "0", "-", "-", "-" });
        Assert.Equal(expectedRows, rows.Skip(1).OrderBy(r => r[2], StringComparer.Ordinal));
    });

    [Fact]
    public Task CreatingAnExistingTopicSaysSoAndExitsNonZero() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "cli-existing";
        ChildProcess first = await session.RunAsync(Topics("--create", "--topic", topic, "--partitions", "1"));
        Assert.Equal(0, first.ExitCode);

        ChildProcess again = await session.RunAsync(Topics("--create", "--topic", topic, "--partitions", "1"));

        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains($"Topic '{topic}' already exists.", again.StandardOutput.Snapshot().Concat(again.StandardError.Snapshot()));
        ChildProcess quiet = await session.RunAsync(Topics("--create", "--topic", topic, "--partitions", "1", "--if-not-exists"));
        Assert.Equal(0, quiet.ExitCode);
    });

    private Command Topics(params string[] arguments) => Kraft(["topics", .. arguments]);

    /// <summary>A kraft verb against this class's broker.</summary>
    private Command Kraft(params string[] arguments) => ClientCommands.Kraft([arguments[0], "--bootstrap-server", Broker.BootstrapServer, .. arguments[1..]]);

    // kafka-topics.sh --describe (TopicCommand): tab-separated, one line per topic, then one per partition starting with a tab.
    [GeneratedRegex(@"^Topic: (?<topic>[^\t]+)\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: (?<configs>[^\t]*)$")]
    private static partial Regex TopicLine();

    [GeneratedRegex(@"^\tTopic: (?<topic>[^\t]+)\tPartition: (?<partition>\d+)\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: (?<elr>[^\t]*)\tLastKnownElr: (?<lastKnownElr>[^\t]*)$")]
    private static partial Regex PartitionLine();
}
