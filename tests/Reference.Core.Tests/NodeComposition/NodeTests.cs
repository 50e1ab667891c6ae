using FsCheck;
using FsCheck.Fluent;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.NodeComposition;

/// <summary>
/// The whole node, driven with no sockets: a combined broker and controller elects itself, registers
/// its broker with its own controller, and serves clients from what KRaft committed.
/// </summary>
public sealed class NodeTests
{
    [Fact]
    public void ASingleVoterElectsItselfAndItsBrokerRegistersAndIsUnfenced()
    {
        var node = new SingleNodeHarness();
        node.RunFor(5_000);
        Assert.True(node.Node.Raft.IsLeader);
        Assert.True(node.Node.Metadata.IsActiveBroker(1));
        var metadata = node.Send<MetadataResponse>(new MetadataRequest { Topics = null }, 8);
        Assert.Equal(1, metadata.Brokers.Single().NodeId);
        Assert.Equal(9092, metadata.Brokers.Single().Port);
        Assert.Equal(node.Config.ClusterId, metadata.ClusterId);
        Assert.True(node.History.OfType<NodeEffect.PersistQuorumState>().Any(), "the election was never persisted");
    }

    /// <summary>
    /// KIP-966's DescribeTopicPartitions is served on the broker listener from the committed image, a page at a
    /// time, ELR and last known ELR included (empty here: one replica, min.insync.replicas 1).
    /// </summary>
    [Fact]
    public void DescribeTopicPartitionsIsAnsweredFromCommittedMetadataPageByPage()
    {
        var node = Started();
        node.CreateTopic("described", partitions: 3);
        var request = new DescribeTopicPartitionsRequest { Topics = [new() { Name = "described" }, new() { Name = "missing" }], ResponsePartitionLimit = 2 };

        var first = node.Send<DescribeTopicPartitionsResponse>(request, 0);
        request.Cursor = new DescribeTopicPartitionsRequest.CursorData { TopicName = first.NextCursor!.TopicName, PartitionIndex = first.NextCursor.PartitionIndex };
        var second = node.Send<DescribeTopicPartitionsResponse>(request, 0);

        var described = Assert.Single(first.Topics);
        Assert.Equal(("described", node.Node.Metadata.Topic("described")!.TopicId), (described.Name, described.TopicId));
        Assert.Equal([0, 1], described.Partitions.Select(p => p.PartitionIndex));
        Assert.Equal(("described", 2), (first.NextCursor.TopicName, first.NextCursor.PartitionIndex));
        Assert.All(described.Partitions, p => Assert.Equal((1, "1", "1", "", ""), (p.LeaderId, string.Join(",", p.ReplicaNodes), string.Join(",", p.IsrNodes),
            string.Join(",", p.EligibleLeaderReplicas!), string.Join(",", p.LastKnownElr!))));
        Assert.Equal(["described 2", "missing UnknownTopicOrPartition"], second.Topics.Select(t => $"{t.Name} {(t.ErrorCode == 0 ? string.Join(",", t.Partitions.Select(p => p.PartitionIndex)) : ((ErrorCode)t.ErrorCode).ToString())}"));
        Assert.Null(second.NextCursor);
        // Metadata reports the same operations, when asked for them (v8+), as Kafka does without an authorizer.
        var asked = node.Send<MetadataResponse>(new MetadataRequest { Topics = null, IncludeTopicAuthorizedOperations = true }, 8);
        var notAsked = node.Send<MetadataResponse>(new MetadataRequest { Topics = null }, 8);
        Assert.Equal((3576, int.MinValue), (asked.Topics.Single().TopicAuthorizedOperations, notAsked.Topics.Single().TopicAuthorizedOperations));
        Assert.Equal(3576, described.TopicAuthorizedOperations);
    }

    [Fact]
    public void ProducedBatchesAreFetchedBackAtTheirOffsets()
    {
        var node = Started();
        node.CreateTopic("events", partitions: 2);
        Assert.Equal(0, node.Produce("events", 1, NodeRequests.Batch(["a", "b"])).BaseOffset);
        Assert.Equal(2, node.Produce("events", 1, NodeRequests.Batch(["c"]), acks: 1).BaseOffset);
        var (partition, records) = node.Fetch("events", 1, 0);
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal(3, partition.HighWatermark);
        Assert.Equal([(0L, "a"), (1L, "b"), (2L, "c")], records);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, node.Fetch("events", 1, 4).Partition.ErrorCode);
    }

    [Fact]
    public void MetadataForAnUnknownTopicCreatesItWhenAutoCreationIsOn()
    {
        var node = Started();
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "auto" }], AllowAutoTopicCreation = true };
        Assert.Equal((short)ErrorCode.LeaderNotAvailable, node.Send<MetadataResponse>(request, 8).Topics.Single().ErrorCode);
        node.RunFor(200);
        MetadataResponse.MetadataResponseTopic topic = node.Send<MetadataResponse>(request, 8).Topics.Single();
        Assert.Equal((short)ErrorCode.None, topic.ErrorCode);
        Assert.Equal(1, topic.Partitions.Single().LeaderId);
    }

    [Fact]
    public void OffsetsStayDenseAndFetchesNeverPassTheHighWatermark() =>
        Prop.ForAll(Arb.From(Gen.ListOf(Gen.Choose(1, 5).Zip(Gen.Elements<short>(-1, 1, 0)))), batches =>
        {
            var node = Started();
            node.CreateTopic("p", partitions: 1);
            var expected = new List<string>();
            foreach (var (count, acks) in batches.Take(12))
            {
                var values = Enumerable.Range(expected.Count, count).Select(i => $"v{i}").ToList();
                if (acks == 0) node.SendWithoutAnswer(ProduceOf(values, acks), 7);
                else Assert.Equal(expected.Count, node.Produce("p", 0, NodeRequests.Batch(values), acks).BaseOffset);
                expected.AddRange(values);
                node.RunFor(10);
            }
            var (partition, records) = node.Fetch("p", 0, 0);
            Assert.Equal(expected.Count, partition.HighWatermark);
            Assert.Equal(expected, records.Select(r => r.Value));
            Assert.Equal(Enumerable.Range(0, expected.Count).Select(i => (long)i), records.Select(r => r.Offset));
            var snapshot = node.Node.Partitions.Single(p => p.Partition.Topic == "p");
            Assert.True(snapshot.HighWatermark <= snapshot.LogEndOffset);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(25));

    private static ProduceRequest ProduceOf(IReadOnlyList<string> values, short acks) => new()
    {
        Acks = acks,
        TimeoutMs = 10_000,
        TopicData = [new ProduceRequest.TopicProduceData
        {
            Name = "p",
            PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = NodeRequests.Batch(values) }],
        }],
    };

    [Fact]
    public void AnIdempotentRetryIsAnsweredWithTheOriginalOffsetAndNotWrittenTwice()
    {
        var node = Started();
        node.CreateTopic("idem", partitions: 1);
        InitProducerIdResponse producer = InitProducer(node);
        byte[] batch = NodeRequests.Batch(["x", "y"], producer.ProducerId, producer.ProducerEpoch, baseSequence: 0);
        Assert.Equal(0, node.Produce("idem", 0, batch).BaseOffset);
        Assert.Equal(0, node.Produce("idem", 0, batch).BaseOffset);
        byte[] next = NodeRequests.Batch(["z"], producer.ProducerId, producer.ProducerEpoch, baseSequence: 2);
        Assert.Equal(2, node.Produce("idem", 0, next).BaseOffset);
        byte[] gap = NodeRequests.Batch(["w"], producer.ProducerId, producer.ProducerEpoch, baseSequence: 9);
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, node.Produce("idem", 0, gap).ErrorCode);
        Assert.Equal(["x", "y", "z"], node.Fetch("idem", 0, 0).Records.Select(r => r.Value));
    }

    private static InitProducerIdResponse InitProducer(SingleNodeHarness node)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var answer = node.Send<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000 }, 4);
            if (answer.ErrorCode == (short)ErrorCode.None) return answer;
            Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, answer.ErrorCode);
            node.RunFor(100);
        }
        throw new Xunit.Sdk.XunitException("no producer id after 10 attempts");
    }

    [Fact]
    public void AGroupMemberJoinsSyncsCommitsAndItsOffsetsSurviveAPowerCutWhenFlushingBeforeAcknowledging()
    {
        var node = Started(flushBeforeAcknowledge: true);
        node.CreateTopic("orders", partitions: 1);
        FindCoordinatorResponse coordinator = FindCoordinator(node, "g");
        Assert.Equal(1, coordinator.NodeId);

        var join = new JoinGroupRequest { GroupId = "g", SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 10_000, MemberId = "", ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[] { 0, 0 } }] };
        var required = node.Send<JoinGroupResponse>(join, 5);
        Assert.Equal((short)ErrorCode.MemberIdRequired, required.ErrorCode);
        join.MemberId = required.MemberId;
        var joined = node.Send<JoinGroupResponse>(join, 5);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.Equal(joined.MemberId, joined.Leader);
        var sync = node.Send<SyncGroupResponse>(new SyncGroupRequest { GroupId = "g", GenerationId = joined.GenerationId, MemberId = joined.MemberId,
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = new byte[] { 1, 2, 3 } }] }, 3);
        Assert.Equal([1, 2, 3], sync.Assignment.ToArray());

        var commit = new OffsetCommitRequest { GroupId = "g", GenerationIdOrMemberEpoch = joined.GenerationId, MemberId = joined.MemberId,
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "orders",
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 42 }] }] };
        Assert.Equal((short)ErrorCode.None, node.Send<OffsetCommitResponse>(commit, 7).Topics.Single().Partitions.Single().ErrorCode);

        node.CrashAndRestart();
        node.RunFor(5_000);
        FindCoordinator(node, "g");
        var fetched = node.Send<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "g",
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "orders", PartitionIndexes = [0] }] }, 7);
        Assert.Equal(42, fetched.Topics.Single().Partitions.Single().CommittedOffset);
        Assert.All(node.Node.Groups, g => Assert.True(g.GenerationId >= joined.GenerationId));
    }

    [Fact]
    public void AcknowledgedDataSurvivesAPowerCutWhenFlushingBeforeAcknowledging()
    {
        var node = Started(flushBeforeAcknowledge: true);
        node.CreateTopic("durable", partitions: 1);
        Assert.Equal(0, node.Produce("durable", 0, NodeRequests.Batch(["one", "two"]), acks: 1).BaseOffset);
        node.CrashAndRestart();
        node.RunFor(5_000);
        var (partition, records) = node.Fetch("durable", 0, 0);
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal(["one", "two"], records.Select(r => r.Value));
    }

    /// <summary>
    /// Kafka's default: a single replica acknowledges before fsync, trusting the OS page cache (which a
    /// process crash, kill -9, does not lose; the end-to-end tests show that). A power cut may lose it;
    /// the topic itself survives, because KRaft never commits metadata before it is on disk.
    /// </summary>
    [Fact]
    public void ByDefaultAPowerCutMayLoseUnflushedDataButNeverTheCommittedTopic()
    {
        var node = Started();
        node.CreateTopic("volatile", partitions: 1);
        node.Produce("volatile", 0, NodeRequests.Batch(["gone"]), acks: 1);
        Assert.DoesNotContain(node.History, e => e is NodeEffect.FlushLog { Log.Topic: "volatile" });
        node.CrashAndRestart();
        node.RunFor(5_000);
        Assert.NotNull(node.Node.Metadata.Topic("volatile"));
        Assert.Empty(node.Fetch("volatile", 0, 0).Records);
    }

    private static FindCoordinatorResponse FindCoordinator(SingleNodeHarness node, string group)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var answer = node.Send<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group, KeyType = 0 }, 2);
            if (answer.ErrorCode == (short)ErrorCode.None) return answer;
            node.RunFor(200);
        }
        throw new Xunit.Sdk.XunitException($"no coordinator for {group}");
    }

    private static SingleNodeHarness Started(bool flushBeforeAcknowledge = false)
    {
        var node = new SingleNodeHarness(c => c with { FlushBeforeAcknowledge = flushBeforeAcknowledge });
        node.RunFor(5_000);
        Assert.True(node.Node.Metadata.IsActiveBroker(1), "the broker never became active");
        return node;
    }
}
