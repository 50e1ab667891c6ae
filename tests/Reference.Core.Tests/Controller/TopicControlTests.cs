using Reference.Core.Controller;
using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Controller;

/// <summary>CreateTopics: what is created, where, and what is refused with which of Kafka's messages.</summary>
public sealed class TopicControlTests
{
    [Fact]
    public void CreateTopicsIsAnsweredOnlyOnceItsRecordsAreCommitted()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1, 2, 3);
        long committedBefore = harness.Committed.Offset;

        int create = harness.Send(ControllerHarness.CreateTopics(("orders", 3, 2)));
        long written = harness.Log.NextOffset - 1;
        Assert.Null(harness.AnswerTo<CreateTopicsResponse>(create));
        harness.CommitUpTo(committedBefore);
        Assert.Null(harness.AnswerTo<CreateTopicsResponse>(create));
        harness.CommitUpTo(written);

        var result = Assert.Single(harness.AnswerTo<CreateTopicsResponse>(create)!.Topics);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal((3, (short)2), (result.NumPartitions, result.ReplicationFactor));
        TopicImage topic = harness.Committed.Topic("orders")!;
        Assert.Equal(result.TopicId, topic.TopicId);
        Assert.Equal(3, topic.Partitions.Count);
        foreach (PartitionRegistration p in topic.Partitions.Values)
        {
            Assert.Equal(2, p.Replicas.Distinct().Count());
            Assert.Equal(p.Replicas.ToArray(), p.Isr.ToArray());
            Assert.Equal(p.Replicas[0], p.Leader);
            Assert.Equal((0, 0), (p.LeaderEpoch, p.PartitionEpoch));
        }
    }

    [Fact]
    public void LeadersAreSpreadRoundRobinOverTheBrokers()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1, 2, 3);

        harness.CreateTopic("spread", 6, 3);

        var leaders = harness.Committed.Topic("spread")!.Partitions.Values.Select(p => p.Leader).ToArray();
        Assert.Equal(2, leaders.Count(l => l == 1));
        Assert.Equal(2, leaders.Count(l => l == 2));
        Assert.Equal(2, leaders.Count(l => l == 3));
    }

    [Fact]
    public void TwoCreationsOfOneNameInFlightDoNotBothSucceed()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);

        int first = harness.Send(ControllerHarness.CreateTopics(("x", 1, 1)));
        int second = harness.Send(ControllerHarness.CreateTopics(("x", 1, 1)));
        harness.CommitAll();

        Assert.Equal((short)ErrorCode.None, harness.AnswerTo<CreateTopicsResponse>(first)!.Topics[0].ErrorCode);
        var refused = harness.AnswerTo<CreateTopicsResponse>(second)!.Topics[0];
        Assert.Equal((ErrorCode.TopicAlreadyExists, "Topic 'x' already exists."), ((ErrorCode)refused.ErrorCode, refused.ErrorMessage));
        Assert.Single(harness.Log.Records.OfType<TopicRecord>());
    }

    [Fact]
    public void ANameTwiceInOneRequestIsRefusedBothTimes()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);

        var answer = harness.Call<CreateTopicsResponse>(ControllerHarness.CreateTopics(("d", 1, 1), ("d", 1, 1)));

        Assert.All(answer.Topics, t => Assert.Equal((ErrorCode.InvalidRequest, "Duplicate topic name."), ((ErrorCode)t.ErrorCode, t.ErrorMessage)));
        Assert.Empty(harness.Log.Records.OfType<TopicRecord>());
    }

    public static TheoryData<string, string> IllegalNames => new()
    {
        { "", "Topic name is illegal, it can't be empty" },
        { ".", "Topic name cannot be \".\" or \"..\"" },
        { "..", "Topic name cannot be \".\" or \"..\"" },
        { "has space", "Topic name \"has space\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'" },
        { new string('a', 250), $"Topic name is illegal, it can't be longer than 249 characters, topic name: {new string('a', 250)}" },
    };

    [Theory]
    [MemberData(nameof(IllegalNames))]
    public void IllegalNamesAreRefusedWithKafkasMessage(string name, string message)
    {
        var result = ControllerHarness.WithUnfencedBrokers(1).CreateTopic(name, 1, 1);

        Assert.Equal((ErrorCode.InvalidTopicException, message), ((ErrorCode)result.ErrorCode, result.ErrorMessage));
    }

    [Fact]
    public void TheLongestLegalNameIsAccepted()
    {
        Assert.Equal((short)ErrorCode.None, ControllerHarness.WithUnfencedBrokers(1).CreateTopic(new string('a', 249), 1, 1).ErrorCode);
    }

    [Fact]
    public void NamesThatCollideInMetricNamesAreRefused()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        harness.CreateTopic("a.b", 1, 1);

        var result = harness.CreateTopic("a_b", 1, 1);

        Assert.Equal((ErrorCode.InvalidTopicException, "Topic 'a_b' collides with existing topic: a.b"), ((ErrorCode)result.ErrorCode, result.ErrorMessage));
    }

    public static TheoryData<int, short, ErrorCode, string> BadShapes => new()
    {
        { 0, 1, ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value." },
        { -2, 1, ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value." },
        { 1, 0, ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value." },
        { 1, 3, ErrorCode.InvalidReplicationFactor, "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered." },
        { 10_001, 1, ErrorCode.PolicyViolation, "Excessively large number of partitions per request." },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void PartitionCountsAndReplicationFactorsAreValidatedWithKafkasMessages(int partitions, short replicationFactor, ErrorCode code, string message)
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);

        var result = harness.CreateTopic("t", partitions, replicationFactor);

        Assert.Equal((code, message), ((ErrorCode)result.ErrorCode, result.ErrorMessage));
        Assert.Null(harness.Committed.Topic("t"));
    }

    [Fact]
    public void WithoutAnUnfencedBrokerNothingCanBePlaced()
    {
        var harness = new ControllerHarness();
        harness.Call<BrokerRegistrationResponse>(ControllerHarness.Registration(1));

        var result = harness.CreateTopic("t", 1, 1);

        Assert.Equal("Unable to replicate the partition 1 time(s): All brokers are currently fenced.", result.ErrorMessage);
    }

    [Fact]
    public void MinusOneTakesTheBrokersDefaults()
    {
        var harness = new ControllerHarness(ControllerHarness.DefaultConfig() with { NumPartitions = 4, DefaultReplicationFactor = 2 });
        harness.RegisterUnfencedBrokers(1, 2);

        var result = harness.CreateTopic("defaults", -1, -1);

        Assert.Equal((4, (short)2), (result.NumPartitions, result.ReplicationFactor));
    }

    [Fact]
    public void ConfigsAreValidatedWrittenAndDescribedInTheAnswer()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        var request = ControllerHarness.CreateTopics(("compacted", 1, 1));
        request.Topics[0].Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "cleanup.policy", Value = "compact" }];

        var result = Assert.Single(harness.Call<CreateTopicsResponse>(request).Topics);

        Assert.Equal("compact", harness.Committed.ConfigsOf(ConfigResource.ForTopic("compacted"))["cleanup.policy"]);
        var described = Assert.Single(result.Configs!, c => c.Name == "cleanup.policy");
        Assert.Equal(("compact", (sbyte)ConfigSource.TopicConfig), (described.Value, described.ConfigSource));
        Assert.Equal((sbyte)ConfigSource.DefaultConfig, result.Configs!.Single(c => c.Name == "retention.ms").ConfigSource);
    }

    [Fact]
    public void AnUnknownOrInvalidConfigRefusesTheTopic()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        var request = ControllerHarness.CreateTopics(("a", 1, 1), ("b", 1, 1));
        request.Topics[0].Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "retention.hours", Value = "1" }];
        request.Topics[1].Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "retention.ms", Value = "soon" }];

        var answer = harness.Call<CreateTopicsResponse>(request);

        Assert.Equal((ErrorCode.InvalidConfig, "Unknown topic config name: retention.hours"), ((ErrorCode)answer.Topics[0].ErrorCode, answer.Topics[0].ErrorMessage));
        Assert.Equal((ErrorCode.InvalidConfig, "Invalid value soon for configuration retention.ms: Not a number of type LONG"), ((ErrorCode)answer.Topics[1].ErrorCode, answer.Topics[1].ErrorMessage));
        Assert.Empty(harness.Committed.Topics);
    }

    [Fact]
    public void ValidateOnlyAnswersAsIfCreatedButWritesNothing()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        var request = ControllerHarness.CreateTopics(("dry", 2, 1));
        request.ValidateOnly = true;

        var result = Assert.Single(harness.Call<CreateTopicsResponse>(request).Topics);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(2, result.NumPartitions);
        Assert.Empty(harness.Log.Records.OfType<TopicRecord>());
    }

    [Fact]
    public void AManualAssignmentPlacesReplicasAsAsked()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1, 2, 3);
        var request = ControllerHarness.CreateTopics(("manual", -1, -1));
        request.Topics[0].Assignments =
        [
            new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [3, 1] },
            new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 1, BrokerIds = [2, 3] },
        ];

        Assert.Equal((short)ErrorCode.None, Assert.Single(harness.Call<CreateTopicsResponse>(request).Topics).ErrorCode);

        Assert.Equal([3, 1], harness.Committed.Topic("manual")!.Partitions[0].Replicas.ToArray());
        Assert.Equal(3, harness.Committed.Topic("manual")!.Partitions[0].Leader);
    }

    [Fact]
    public void AManualAssignmentNamingAnUnknownBrokerIsRefused()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        var request = ControllerHarness.CreateTopics(("manual", -1, -1));
        request.Topics[0].Assignments = [new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [1, 7] }];

        var result = Assert.Single(harness.Call<CreateTopicsResponse>(request).Topics);

        Assert.Equal((ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes broker 7, but no such broker is registered."), ((ErrorCode)result.ErrorCode, result.ErrorMessage));
    }

    [Fact]
    public void TheOffsetsTopicCanBeCreatedTheWayTheNodeAutoCreatesIt()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);

        var request = AutoTopicCreation.Request([AutoTopicCreation.ConsumerOffsets(harness.Config), AutoTopicCreation.UserTopic("auto")], 30_000);
        var answer = harness.Call<CreateTopicsResponse>(request);

        Assert.All(answer.Topics, t => Assert.Equal((short)ErrorCode.None, t.ErrorCode));
        TopicImage offsets = harness.Committed.Topic(TopicNames.ConsumerOffsets)!;
        Assert.True(offsets.IsInternal);
        Assert.Equal(50, offsets.Partitions.Count);
        EffectiveTopicConfig config = TopicConfigView.Effective(harness.Committed, harness.Config, TopicNames.ConsumerOffsets);
        Assert.True(config.Compact);
        Assert.Equal(AutoTopicCreation.OffsetsTopicSegmentBytes, config.SegmentBytes);
        Assert.Single(harness.Committed.Topic("auto")!.Partitions);
    }

    [Fact]
    public void TheOffsetsTopicWithKafkasDefaultReplicationFactorCannotBeCreatedOnOneBroker()
    {
        var harness = new ControllerHarness(ControllerHarness.DefaultConfig() with { OffsetsTopicReplicationFactor = 3 });
        harness.RegisterUnfencedBrokers(1);

        var answer = harness.Call<CreateTopicsResponse>(AutoTopicCreation.Request([AutoTopicCreation.ConsumerOffsets(harness.Config)], 30_000));

        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, Assert.Single(answer.Topics).ErrorCode);
    }
}
