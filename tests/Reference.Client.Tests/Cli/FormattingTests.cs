using System.Text;
using Reference.Cli.Formatting;
using Reference.Client.Admin;
using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Records;
using Reference.Protocol.Primitives;

namespace Reference.Client.Tests.Cli;

/// <summary>The tools' output shapes, from given data, against Kafka's printf layouts.</summary>
public sealed class FormattingTests
{
    [Fact]
    public void TopicDescribeIsKafkasTabSeparatedShape()
    {
        var topic = new TopicMetadata("orders", new Uuid(0, 1), false, ErrorCode.None,
        [
            new PartitionMetadata(0, 1, 0, [1, 2], [1, 2], [], ErrorCode.None),
            new PartitionMetadata(1, -1, 0, [2, 1], [], [], ErrorCode.None),
        ]);
        ConfigEntry[] configs =
        [
            new("cleanup.policy", "delete", ConfigSource.DefaultConfig, false, false),
            new("retention.ms", "1000", ConfigSource.DynamicTopicConfig, false, false),
            new("segment.bytes", "1073741824", ConfigSource.StaticBrokerConfig, false, false),
        ];
        Assert.Equal(
        [
            "Topic: orders\tTopicId: AAAAAAAAAAAAAAAAAAAAAQ\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: retention.ms=1000,segment.bytes=1073741824",
            "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2\tElr: N/A\tLastKnownElr: N/A",
            "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,1\tIsr: \tElr: N/A\tLastKnownElr: N/A",
        ], TopicDescriptionFormat.Lines(topic, configs));
    }

    [Fact]
    public void AZeroTopicIdIsLeftOut() =>
        Assert.StartsWith("Topic: t\tPartitionCount: 0\tReplicationFactor: 0\tConfigs: ",
            TopicDescriptionFormat.TopicLine(new TopicMetadata("t", Uuid.Zero, false, ErrorCode.None, []), []));

    [Fact]
    public void GroupOffsetsTableHasKafkasColumnsAndMissingValues()
    {
        PartitionOffsetRow[] rows =
        [
            new("g", "t", 0, 5, 10, "consumer-1-ab", "/127.0.0.1", "console-consumer"),
            new("g", "t", 1, null, 7, "-", "-", "-"),
        ];
        string expected =
            "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID" +
            "\ng               t               0          5               10              5               consumer-1-ab   /127.0.0.1      console-consumer" +
            "\ng               t               1          -               7               -               -               -               -" +
            "\n";
        Assert.Equal(expected, ConsumerGroupTables.Offsets(rows));
    }

    [Fact]
    public void ColumnsWidenToTheLongestValue()
    {
        string table = ConsumerGroupTables.Offsets([new("a-rather-long-group-name", "t", 0, 1, 1, "c", "h", "id")]);
        Assert.Contains("\nGROUP                    TOPIC ", table);
    }

    [Fact]
    public void MembersTableEndsEveryCellWithASpace()
    {
        string expected =
            "\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n" +
            "g               c-1             /127.0.0.1      cli             3               \n";
        Assert.Equal(expected, ConsumerGroupTables.Members([new MemberRow("g", "c-1", "", "/127.0.0.1", "cli", 3)]));
    }

    [Fact]
    public void MembersTableShowsGroupInstanceIdOnlyForStaticMembers() =>
        Assert.Contains("GROUP-INSTANCE-ID", ConsumerGroupTables.Members([new MemberRow("g", "c", "static-1", "h", "id", 0)]));

    [Fact]
    public void StateTableNamesTheCoordinator()
    {
        string expected =
            "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS" +
            "\ng               127.0.0.1:9092  (1)       range                Stable               2\n";
        Assert.Equal(expected, ConsumerGroupTables.State(new GroupStateRow("g", "127.0.0.1", 9092, 1, "range", "Stable", 2)));
    }

    [Fact]
    public void ResetPlanIsKafkasTable()
    {
        string expected =
            "\nGROUP           TOPIC           PARTITION  NEW-OFFSET" +
            "\ng               t               0          0\n";
        Assert.Equal(expected, ConsumerGroupTables.ResetPlan([new ResetOffsetRow("g", "t", 0, 0)]));
    }

    [Fact]
    public void QuorumStatusMatchesKafka39()
    {
        var directory = new Uuid(0, 2);
        var quorum = new QuorumDescription(1, 3, 176,
            [new QuorumReplica(1, directory, 180, 10, 10), new QuorumReplica(2, Uuid.Zero, 170, 9, 4)],
            [new QuorumReplica(4, Uuid.Zero, 175, 8, 8)],
            new Dictionary<int, IReadOnlyList<QuorumListener>> { [1] = [new QuorumListener("CONTROLLER", "localhost", 9093)] });
        string expected =
            "ClusterId:              MkU3OEVBNTcwNTJENDM2Qg\n" +
            "LeaderId:               1\n" +
            "LeaderEpoch:            3\n" +
            "HighWatermark:          176\n" +
            "MaxFollowerLag:         10\n" +
            "MaxFollowerLagTimeMs:   6\n" +
            "CurrentVoters:          [{\"id\": 1, \"directoryId\": \"AAAAAAAAAAAAAAAAAAAAAg\", \"endpoints\": [\"CONTROLLER://localhost:9093\"]}, {\"id\": 2, \"directoryId\": null}]\n" +
            "CurrentObservers:       [{\"id\": 4, \"directoryId\": null}]\n";
        Assert.Equal(expected, QuorumStatusFormat.Status("MkU3OEVBNTcwNTJENDM2Qg", quorum));
    }

    [Fact]
    public void ConsumerPrintsOnlyTheValueByDefault() =>
        Assert.Equal("v\n", new RecordFormatter(new Dictionary<string, string>()).Format(Record("k", "v")));

    [Fact]
    public void ConsumerPrintsFieldsInKafkasOrderWithTheKeySeparator()
    {
        var formatter = new RecordFormatter(new Dictionary<string, string>
        {
            ["print.timestamp"] = "true", ["print.partition"] = "true", ["print.offset"] = "true",
            ["print.headers"] = "true", ["print.key"] = "true", ["key.separator"] = " | ",
        });
        var record = Record(null, "v") with { Headers = [new RecordHeader("a", [0x31]), new RecordHeader("b", null)] };
        Assert.Equal("CreateTime:1700 | Partition:2 | Offset:7 | a:1,b:null | null | v\n", formatter.Format(record));
    }

    [Fact]
    public void ARecordWithoutHeadersPrintsNoHeaders() =>
        Assert.Equal("NO_HEADERS\tv\n", new RecordFormatter(new Dictionary<string, string> { ["print.headers"] = "true" }).Format(Record(null, "v")));

    private static ConsumerRecord Record(string? key, string value) =>
        new("t", 2, 7, 1700, TimestampType.CreateTime, key is null ? null : Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), []);
}
