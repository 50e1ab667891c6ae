using Reference.Broker.Config;
using Reference.Core.Node;

namespace Reference.Broker.Tests.Config;

public sealed class BrokerConfigParserTests
{
    private const string Combined = """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@localhost:9093
        listeners=PLAINTEXT://:9092,CONTROLLER://:9093
        controller.listener.names=CONTROLLER
        log.dirs=/data/one,/data/two
        """;

    private static BrokerConfig Valid(string text)
    {
        ConfigParseResult result = BrokerConfigParser.Parse(text);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        return result.Config!;
    }

    private static string OnlyError(string text)
    {
        ConfigParseResult result = BrokerConfigParser.Parse(text);
        Assert.False(result.IsSuccess);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void TheQuickstartFileGivesACombinedNodeWithKafkasDefaults()
    {
        ConfigParseResult result = BrokerConfigParser.ParseFile(Path.Combine(RepositoryRoot(), "config", "server.properties"));
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        BrokerConfig config = result.Config!;
        Assert.True(config.Node.IsBroker && config.Node.IsController);
        Assert.Equal([new VoterAddress(1, "localhost", 9093)], config.Node.Voters);
        Assert.Equal([new Endpoint("PLAINTEXT", "localhost", 9092)], config.Node.AdvertisedBrokerEndpoints);
        Assert.Equal(ListenerKind.Controller, config.Listeners.Single(l => l.Name == "CONTROLLER").Kind);
        Assert.Equal(1, config.Node.OffsetsTopicReplicationFactor);
        Assert.Equal(168L * 3600 * 1000, config.Node.LogRetentionMs);
        Assert.Equal(104857600, config.SocketRequestMaxBytes);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("unknown", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void TheBuiltInConfigurationParsesAndListensOnLoopback()
    {
        BrokerConfig config = Valid(DefaultConfiguration.Text("/tmp/x"));
        Assert.Equal(["127.0.0.1"], config.Listeners.Select(l => l.Host).Distinct());
        Assert.Equal("/tmp/x", config.DataDirectory);
        Assert.Equal(1, config.Node.OffsetsTopicReplicationFactor);
    }

    [Fact]
    public void OnlyTheFirstLogDirectoryHoldsDataAndAWarningSaysSo()
    {
        ConfigParseResult result = BrokerConfigParser.Parse(Combined);
        Assert.Equal("/data/one", result.Config!.DataDirectory);
        Assert.Equal("/data/one", result.Config.MetadataDirectory);
        Assert.Equal(["/data/one", "/data/two"], result.Config.AllDirectories);
        Assert.Contains(result.Warnings, w => w.Contains("only", StringComparison.Ordinal) && w.Contains("/data/one", StringComparison.Ordinal));
    }

    [Fact]
    public void RetentionMillisecondsWinOverMinutesAndMinutesOverHours()
    {
        Assert.Equal(5, Valid(Combined + "\nlog.retention.hours=1\nlog.retention.minutes=2\nlog.retention.ms=5").Node.LogRetentionMs);
        Assert.Equal(120_000, Valid(Combined + "\nlog.retention.hours=1\nlog.retention.minutes=2").Node.LogRetentionMs);
        Assert.Equal(3_600_000, Valid(Combined + "\nlog.retention.hours=1").Node.LogRetentionMs);
        Assert.Equal(-1, Valid(Combined + "\nlog.retention.ms=-1").Node.LogRetentionMs);
        Assert.Equal(7_200_000, Valid(Combined + "\nlog.roll.hours=2").Node.LogRollMs);
    }

    [Fact]
    public void FlushIntervalOfOneMeansFsyncBeforeAcknowledging()
    {
        Assert.True(Valid(Combined + "\nlog.flush.interval.messages=1").Node.FlushBeforeAcknowledge);
        Assert.False(Valid(Combined).Node.FlushBeforeAcknowledge);
        ConfigParseResult other = BrokerConfigParser.Parse(Combined + "\nlog.flush.interval.messages=10");
        Assert.False(other.Config!.Node.FlushBeforeAcknowledge);
        Assert.Contains(other.Warnings, w => w.Contains("log.flush.interval.messages", StringComparison.Ordinal));
    }

    [Fact]
    public void SettingsReachTheNodeConfig()
    {
        NodeConfig node = Valid(Combined + """

            num.partitions=3
            default.replication.factor=2
            min.insync.replicas=2
            auto.create.topics.enable=false
            message.max.bytes=2000
            log.segment.bytes=4096
            offsets.topic.num.partitions=5
            offsets.retention.minutes=10
            group.initial.rebalance.delay.ms=0
            controller.quorum.election.timeout.ms=500
            broker.session.timeout.ms=4000
            """).Node;
        Assert.Equal((3, (short)2, 2, false, 2000, 4096L, 5, 600_000L, 0, 500, 4000),
            (node.NumPartitions, node.DefaultReplicationFactor, node.MinInsyncReplicas, node.AutoCreateTopicsEnable, node.MessageMaxBytes,
             node.LogSegmentBytes, node.OffsetsTopicNumPartitions, node.OffsetsRetentionMs, node.GroupInitialRebalanceDelayMs,
             node.QuorumElectionTimeoutMs, node.BrokerSessionTimeoutMs));
    }

    [Fact]
    public void ReplicaFetchSettingsReachTheNodeConfigAndAWaitAtThePeerTimeoutIsWarnedAbout()
    {
        NodeConfig node = Valid(Combined + """

            replica.fetch.max.bytes=4096
            replica.fetch.response.max.bytes=8192
            replica.fetch.wait.max.ms=100
            replica.fetch.min.bytes=10
            replica.fetch.backoff.ms=250
            """).Node;
        Assert.Equal((4096, 8192, 100, 10, 250),
            (node.ReplicaFetchMaxBytes, node.ReplicaFetchResponseMaxBytes, node.ReplicaFetchWaitMaxMs, node.ReplicaFetchMinBytes, node.ReplicaFetchBackoffMs));
        ConfigParseResult slow = BrokerConfigParser.Parse(Combined + "\nreplica.fetch.wait.max.ms=2000");
        Assert.True(slow.IsSuccess);
        Assert.Contains(slow.Warnings, w => w.StartsWith("replica.fetch.wait.max.ms=2000 is not below controller.quorum.request.timeout.ms=2000", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownKeysAreWarnedAboutWithTheirLine()
    {
        ConfigParseResult result = BrokerConfigParser.Parse(Combined + "\nlog.retension.hours=1");
        Assert.True(result.IsSuccess);
        Assert.Contains("Ignoring unknown setting log.retension.hours (line 7).", result.Warnings);
    }

    [Fact]
    public void ABadNumberNamesTheKeyTheLineAndTheFix()
    {
        string error = OnlyError(Combined.Replace("node.id=1", "node.id=one"));
        Assert.Equal("Invalid value 'one' for node.id (line 2): it is not a whole number; write e.g. node.id=0.", error);
    }

    [Fact]
    public void EveryBadValueIsReportedNotOnlyTheFirst()
    {
        ConfigParseResult result = BrokerConfigParser.Parse(Combined + "\nnum.partitions=0\nauto.create.topics.enable=maybe");
        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.StartsWith("Invalid value '0' for num.partitions", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("auto.create.topics.enable=true or auto.create.topics.enable=false", StringComparison.Ordinal));
    }

    [Fact]
    public void SslListenersAreRefusedInOneLine()
    {
        string error = OnlyError(Combined.Replace("listeners=PLAINTEXT://:9092", "listeners=SSL://:9092") + "\ninter.broker.listener.name=SSL");
        Assert.Equal("Listener SSL uses SSL, but this broker speaks PLAINTEXT only: map it as SSL:PLAINTEXT in listener.security.protocol.map.", error);
    }

    [Fact]
    public void AMapThatForgetsAListenerSaysWhatToAdd()
    {
        string error = OnlyError(Combined + "\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT");
        Assert.Contains("add CONTROLLER:PLAINTEXT", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AControllerMustBeAVoter()
    {
        string error = OnlyError(Combined.Replace("node.id=1", "node.id=2"));
        Assert.Contains("node.id=2 is a controller but not in controller.quorum.voters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedVotersAndListenersShowTheExpectedShape()
    {
        Assert.Contains("id@host:port", OnlyError(Combined.Replace("1@localhost:9093", "localhost:9093")), StringComparison.Ordinal);
        Assert.Contains("NAME://host:port", OnlyError(Combined.Replace("PLAINTEXT://:9092,", "PLAINTEXT:9092,")), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredKeysAreNamed()
    {
        ConfigParseResult result = BrokerConfigParser.Parse("log.dirs=/x");
        Assert.Contains(result.Errors, e => e.StartsWith("process.roles is not set", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("node.id is not set", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("controller.quorum.voters is not set", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("controller.listener.names is not set", StringComparison.Ordinal));
    }

    [Fact]
    public void ABrokerOnlyNodeReachesControllersWithoutOpeningTheirListener()
    {
        BrokerConfig config = Valid("""
            process.roles=broker
            node.id=4
            controller.quorum.voters=1@h1:9093,2@h2:9093,3@h3:9093
            listeners=PLAINTEXT://10.0.0.4:9092
            controller.listener.names=CONTROLLER
            """);
        Assert.False(config.Node.IsController);
        Assert.Equal(3, config.Node.Voters.Count);
        Assert.Equal([new Endpoint("PLAINTEXT", "10.0.0.4", 9092)], config.Node.AdvertisedBrokerEndpoints);
    }

    [Fact]
    public void TraceRecordPathIsKeptAndItsBoundDefaultsToOneGibibyte()
    {
        BrokerConfig config = Valid(Combined + "\ntrace.record.path=/tmp/trace.txt");
        Assert.Equal("/tmp/trace.txt", config.TraceRecordPath);
        Assert.Equal(1L << 30, config.TraceRecordMaxBytes);
        Assert.Equal(65_536, Valid(Combined + "\ntrace.record.max.bytes=65536").TraceRecordMaxBytes);
        Assert.Null(BrokerConfigParser.Parse(Combined + "\ntrace.record.max.bytes=12").Config);
    }

    internal static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Reference.sln"))) directory = Path.GetDirectoryName(directory);
        return directory ?? throw new InvalidOperationException("Reference.sln not found above the test binaries");
    }
}
