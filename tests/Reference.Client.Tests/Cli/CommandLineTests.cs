using System.Text;
using Reference.Client.Records;
using Reference.Client.Tests.Network;
using Reference.Client.Tests.Responder;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Client.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("topics", "--help")]
    [InlineData("console-producer", "--help")]
    [InlineData("console-consumer", "--help")]
    [InlineData("consumer-groups", "--help")]
    [InlineData("metadata-quorum", "--help")]
    [InlineData("metadata-quorum", "describe", "--help")]
    public async Task HelpWorksEverywhere(params string[] args)
    {
        CliRun run = await CliRun.Of(args);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Out);
    }

    [Fact]
    public async Task TopicsNeedsExactlyOneAction()
    {
        CliRun run = await CliRun.Of("topics", "--bootstrap-server", "127.0.0.1:9092", "--list", "--describe");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Command must include exactly one action: --list, --describe, --create, --alter or --delete (see `kraft topics --help`)\n", run.Error);
    }

    [Fact]
    public async Task ConsoleConsumerRefusesAnOffsetWithoutAPartitionBeforeConnecting()
    {
        CliRun run = await CliRun.Of("console-consumer", "--bootstrap-server", $"127.0.0.1:{ConnectionTests.ClosedPort()}", "--topic", "t", "--offset", "3");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("The partition is required when offset is specified.", run.Error);
    }

    [Theory]
    [InlineData("topics", "--list")]
    [InlineData("consumer-groups", "--list")]
    [InlineData("metadata-quorum", "describe", "--status")]
    public async Task ANoBrokerErrorIsOneLineWithoutAStackTrace(params string[] verb)
    {
        int port = ConnectionTests.ClosedPort();
        string[] args = verb[0] == "metadata-quorum"
            ? [verb[0], "--bootstrap-server", $"127.0.0.1:{port}", .. verb[1..]]
            : [.. verb, "--bootstrap-server", $"127.0.0.1:{port}"];
        CliRun run = await CliRun.Of(args);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"Connection to 127.0.0.1:{port} refused: is the broker running?\n", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task CreatingAnExistingTopicSaysSo()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => request.Body switch
        {
            MetadataRequest => ClusterScript.MetadataFor(request, self!.Port),
            CreateTopicsRequest create => new Reply(new CreateTopicsResponse
            {
                Topics = [new CreateTopicsResponse.CreatableTopicResult { Name = create.Topics[0].Name, ErrorCode = 36, ErrorMessage = "Topic 'x' already exists." }],
            }),
            _ => null,
        });
        self = responder;
        CliRun run = await CliRun.Of("topics", "--bootstrap-server", responder.BootstrapServer, "--create", "--topic", "x");
        Assert.Equal((1, "Topic 'x' already exists.\n"), (run.ExitCode, run.Error));
        CliRun quiet = await CliRun.Of("topics", "--bootstrap-server", responder.BootstrapServer, "--create", "--topic", "x", "--if-not-exists");
        Assert.Equal((0, "", ""), (quiet.ExitCode, quiet.Out, quiet.Error));
    }

    [Fact]
    public async Task CreateSendsPartitionsReplicationAndConfigs()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => request.Body switch
        {
            MetadataRequest => ClusterScript.MetadataFor(request, self!.Port),
            CreateTopicsRequest create => new Reply(new CreateTopicsResponse { Topics = [new CreateTopicsResponse.CreatableTopicResult { Name = create.Topics[0].Name }] }),
            _ => null,
        });
        self = responder;
        CliRun run = await CliRun.Of("topics", "--bootstrap-server", responder.BootstrapServer, "--create", "--topic", "orders",
            "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=1000", "--config", "cleanup.policy=compact");
        Assert.Equal((0, "Created topic orders.\n"), (run.ExitCode, run.Out));
        var topic = responder.Received<CreateTopicsRequest>().Single().Topics.Single();
        Assert.Equal((3, (short)1), (topic.NumPartitions, topic.ReplicationFactor));
        Assert.Equal(["cleanup.policy=compact", "retention.ms=1000"], topic.Configs.Select(c => $"{c.Name}={c.Value}"));
    }

    private static Reply OrdersConfigs() => new(new DescribeConfigsResponse
    {
        Results =
        [
            new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = 2,
                ResourceName = "orders",
                Configs =
                [
                    new DescribeConfigsResponse.DescribeConfigsResourceResult { Name = "cleanup.policy", Value = "delete", ConfigSource = 5 },
                    new DescribeConfigsResponse.DescribeConfigsResourceResult { Name = "segment.bytes", Value = "1073741824", ConfigSource = 4 },
                ],
            },
        ],
    });

    /// <summary>
    /// "orders" has partitions 0 (ISR 1, ELR 2, last known ELR none) and 1 (ISR and ELR empty, last known ELR 3),
    /// answered a page of <c>ResponsePartitionLimit</c> partitions at a time from the cursor, as a Kafka 3.7+ broker pages.
    /// </summary>
    private static Reply OrdersPartitionsPage(DescribeTopicPartitionsRequest request)
    {
        var partitions = new[]
        {
            new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition
            {
                PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 4, ReplicaNodes = [1, 2, 3], IsrNodes = [1], EligibleLeaderReplicas = [2], LastKnownElr = [],
            },
            new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition
            {
                PartitionIndex = 1, LeaderId = -1, LeaderEpoch = 7, ReplicaNodes = [2, 3, 1], IsrNodes = [], EligibleLeaderReplicas = [], LastKnownElr = [3],
            },
        };
        int first = request.Cursor?.PartitionIndex ?? 0;
        var page = partitions.Skip(first).Take(request.ResponsePartitionLimit).ToList();
        int next = first + page.Count;
        return new Reply(new DescribeTopicPartitionsResponse
        {
            Topics = [new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic { Name = "orders", TopicId = ClusterScript.TopicId, Partitions = page }],
            NextCursor = next < partitions.Length ? new DescribeTopicPartitionsResponse.Cursor { TopicName = "orders", PartitionIndex = next } : null,
        });
    }

    /// <summary>A broker that knows "orders" and "__consumer_offsets" and answers describing them.</summary>
    private static ScriptedResponder OrdersResponder()
    {
        ScriptedResponder? self = null;
        var responder = new ScriptedResponder(request => request.Body switch
        {
            MetadataRequest => ClusterScript.MetadataFor(request, self!.Port, ("orders", 2), ("__consumer_offsets", 1)),
            DescribeTopicPartitionsRequest page => OrdersPartitionsPage(page),
            DescribeConfigsRequest => OrdersConfigs(),
            _ => null,
        });
        self = responder;
        return responder;
    }

    [Fact]
    public async Task DescribePrintsEachPartitionsEligibleLeaderReplicasReadPageByPage()
    {
        await using var responder = OrdersResponder();

        CliRun run = await CliRun.Of("topics", "--bootstrap-server", responder.BootstrapServer, "--describe", "--topic", "orders", "--partition-size-limit-per-response", "1");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        Assert.Equal(
            $"Topic: orders\tTopicId: {ClusterScript.TopicId}\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: segment.bytes=1073741824\n" +
            "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1\tElr: 2\tLastKnownElr: \n" +
            "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3,1\tIsr: \tElr: \tLastKnownElr: 3\n",
            run.Out);
        var pages = responder.Received<DescribeTopicPartitionsRequest>().ToList();
        Assert.Equal(["orders@-", "orders@orders-1"], pages.Select(p => $"{string.Join(",", p.Topics.Select(t => t.Name))}@{(p.Cursor is { } c ? $"{c.TopicName}-{c.PartitionIndex}" : "-")}"));
        Assert.All(pages, p => Assert.Equal(1, p.ResponsePartitionLimit));

        CliRun zero = await CliRun.Of("topics", "--bootstrap-server", responder.BootstrapServer, "--describe", "--partition-size-limit-per-response", "0");
        Assert.Equal(1, zero.ExitCode);
        Assert.StartsWith("--partition-size-limit-per-response must be at least 1", zero.Error);
    }

    /// <summary>A broker without DescribeTopicPartitions (before Kafka 3.7) is described through Metadata, its ELR columns N/A.</summary>
    [Fact]
    public async Task DescribeFallsBackToMetadataWithoutDescribeTopicPartitions()
    {
        await using var responder = OrdersResponder();
        responder.Withheld.Add(ApiKey.DescribeTopicPartitions);
        CliRun run = await CliRun.Of("topics", "--bootstrap-server", responder.BootstrapServer, "--describe", "--topic", "orders");
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(responder.Received<DescribeTopicPartitionsRequest>());
        Assert.Equal(
            $"Topic: orders\tTopicId: {ClusterScript.TopicId}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: segment.bytes=1073741824\n" +
            "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A\n" +
            "\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A\n",
            run.Out);
        CliRun missing = await CliRun.Of("topics", "--bootstrap-server", responder.BootstrapServer, "--describe", "--topic", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("Topic 'nope' does not exist as expected", missing.Error);
    }

    [Fact]
    public async Task ConsoleProducerSendsEachLineWithItsKey()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => request.Body switch
        {
            MetadataRequest => ClusterScript.MetadataFor(request, self!.Port, ("t", 3)),
            ProduceRequest produce => new Reply(new ProduceResponse
            {
                Responses = produce.TopicData.Select(t => new ProduceResponse.TopicProduceResponse
                {
                    Name = t.Name,
                    PartitionResponses = t.PartitionData.Select(p => new ProduceResponse.PartitionProduceResponse { Index = p.Index }).ToList(),
                }).ToList(),
            }),
            _ => null,
        });
        self = responder;
        CliRun run = await CliRun.WithInput("key1:one\nkey2:two\n", "console-producer", "--bootstrap-server", responder.BootstrapServer, "--topic", "t",
            "--property", "parse.key=true", "--property", "key.separator=:", "--request-required-acks", "1");
        Assert.Equal((0, "", ""), (run.ExitCode, run.Out, run.Error));
        var sent = responder.Received<ProduceRequest>()
            .SelectMany(p => p.TopicData.SelectMany(t => t.PartitionData))
            .SelectMany(p => RecordBatchCodec.Uncompressed.Decode(p.Records!.Value).Records.Select(r => (p.Index, Key: Encoding.UTF8.GetString(r.Key!), Value: Encoding.UTF8.GetString(r.Value!))))
            .OrderBy(r => r.Value)
            .ToList();
        Assert.Equal([(2, "key1", "one"), (2, "key2", "two")], sent);
        Assert.All(responder.Received<ProduceRequest>(), p => Assert.Equal(1, p.Acks));
    }

    [Fact]
    public async Task ConsoleConsumerPrintsFromTheBeginningAndCountsOnStderr()
    {
        byte[] batch = RecordBatchCodec.Uncompressed.Encode([new BatchRecord([0x6b], [0x61], [], 5), new BatchRecord(null, [0x62], [], 6)]);
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => request.Body switch
        {
            MetadataRequest => ClusterScript.MetadataFor(request, self!.Port, ("t", 1)),
            ListOffsetsRequest list => new Reply(ClusterScript.Offsets(list, (_, _, timestamp) => timestamp == -2 ? 0 : 2)),
            FetchRequest fetch => new Reply(new FetchResponse
            {
                Responses = [new FetchResponse.FetchableTopicResponse
                {
                    Topic = "t",
                    Partitions = [new FetchResponse.PartitionData { HighWatermark = 2, Records = fetch.Topics[0].Partitions[0].FetchOffset == 0 ? batch : null }],
                }],
            }),
            _ => null,
        });
        self = responder;
        CliRun run = await CliRun.Of("console-consumer", "--bootstrap-server", responder.BootstrapServer, "--topic", "t", "--from-beginning",
            "--max-messages", "2", "--property", "print.key=true", "--property", "print.offset=true");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Offset:0\tk\ta\nOffset:1\tnull\tb\n", run.Out);
        Assert.Equal("Processed a total of 2 messages\n", run.Error);
        Assert.Equal(-2, responder.Received<ListOffsetsRequest>().Single().Topics[0].Partitions[0].Timestamp);
        Assert.Empty(responder.Received<OffsetCommitRequest>());
    }

    [Fact]
    public async Task MetadataQuorumStatusCombinesDescribeQuorumAndDescribeCluster()
    {
        await using var responder = new ScriptedResponder(request => request.Body switch
        {
            DescribeQuorumRequest => new Reply(new DescribeQuorumResponse
            {
                Topics = [new DescribeQuorumResponse.TopicData
                {
                    TopicName = "__cluster_metadata",
                    Partitions = [new DescribeQuorumResponse.PartitionData
                    {
                        LeaderId = 1, LeaderEpoch = 2, HighWatermark = 30,
                        CurrentVoters = [new DescribeQuorumResponse.ReplicaState { ReplicaId = 1, LogEndOffset = 30 }],
                    }],
                }],
            }),
            DescribeClusterRequest => new Reply(new DescribeClusterResponse { ClusterId = "abc", ControllerId = 1 }),
            _ => null,
        });
        CliRun run = await CliRun.Of("metadata-quorum", "--bootstrap-server", responder.BootstrapServer, "describe", "--status");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "ClusterId:              abc\nLeaderId:               1\nLeaderEpoch:            2\nHighWatermark:          30\n" +
            "MaxFollowerLag:         0\nMaxFollowerLagTimeMs:   0\nCurrentVoters:          [{\"id\": 1, \"directoryId\": null}]\nCurrentObservers:       []\n",
            run.Out);
        Assert.Equal([ApiKey.DescribeQuorum, ApiKey.DescribeCluster], responder.ApiSequence);
    }
}
