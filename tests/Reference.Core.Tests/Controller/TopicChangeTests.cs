using Reference.Core.Controller;
using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Controller;

/// <summary>What happens to topics after they exist: more partitions, other configs, deletion.</summary>
public sealed class TopicChangeTests
{
    [Fact]
    public void PartitionsGrowButNeverShrink()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1, 2);
        harness.CreateTopic("t", 1, 2);

        var grown = harness.Call<CreatePartitionsResponse>(Grow("t", 3));
        var shrink = harness.Call<CreatePartitionsResponse>(Grow("t", 2));
        var same = harness.Call<CreatePartitionsResponse>(Grow("t", 3));
        var unknown = harness.Call<CreatePartitionsResponse>(Grow("nope", 3));

        Assert.Equal((short)ErrorCode.None, grown.Results[0].ErrorCode);
        TopicImage topic = harness.Committed.Topic("t")!;
        Assert.Equal([0, 1, 2], topic.Partitions.Keys);
        Assert.All(topic.Partitions.Values, p => Assert.Equal(2, p.Replicas.Length));
        Assert.Equal((ErrorCode.InvalidPartitions, "The topic t currently has 3 partition(s); 2 would not be an increase."), ((ErrorCode)shrink.Results[0].ErrorCode, shrink.Results[0].ErrorMessage));
        Assert.Equal((ErrorCode.InvalidPartitions, "Topic already has 3 partition(s)."), ((ErrorCode)same.Results[0].ErrorCode, same.Results[0].ErrorMessage));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Results[0].ErrorCode);
    }

    [Fact]
    public void GrowingWithTheWrongNumberOfAssignmentsIsRefused()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        harness.CreateTopic("t", 1, 1);
        var request = Grow("t", 3);
        request.Topics[0].Assignments = [new CreatePartitionsRequest.CreatePartitionsAssignment { BrokerIds = [1] }];

        var result = harness.Call<CreatePartitionsResponse>(request).Results[0];

        Assert.Equal((ErrorCode.InvalidReplicaAssignment, "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified."), ((ErrorCode)result.ErrorCode, result.ErrorMessage));
    }

    private static CreatePartitionsRequest Grow(string topic, int count) =>
        new() { Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = topic, Count = count }] };

    [Fact]
    public void TopicsAreDeletedByNameOrByIdWithTheirConfigs()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        var byName = harness.CreateTopic("by-name", 1, 1);
        var byId = harness.CreateTopic("by-id", 1, 1);
        harness.Call<IncrementalAlterConfigsResponse>(SetTopicConfig("by-name", "retention.ms", "1000"));

        var names = harness.Call<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["by-name", "missing"] }, version: 5);
        var ids = harness.Call<DeleteTopicsResponse>(new DeleteTopicsRequest { Topics = [new DeleteTopicsRequest.DeleteTopicState { TopicId = byId.TopicId }, new DeleteTopicsRequest.DeleteTopicState { TopicId = byName.TopicId }] });

        Assert.Equal((short)ErrorCode.None, names.Responses[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, names.Responses[1].ErrorCode);
        Assert.Equal(("by-id", (short)ErrorCode.None), (ids.Responses[0].Name, ids.Responses[0].ErrorCode));
        Assert.Equal((short)ErrorCode.UnknownTopicId, ids.Responses[1].ErrorCode);
        Assert.Empty(harness.Committed.Topics);
        Assert.Empty(harness.Committed.Configs);
    }

    private static IncrementalAlterConfigsRequest SetTopicConfig(string topic, string key, string? value, sbyte op = ConfigAlteration.OpSet) => new()
    {
        Resources =
        [
            new IncrementalAlterConfigsRequest.AlterConfigsResource
            {
                ResourceType = (sbyte)ConfigResourceType.Topic,
                ResourceName = topic,
                Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = key, ConfigOperation = op, Value = value }],
            },
        ],
    };

    [Fact]
    public void IncrementalAlterConfigsSetsDeletesAppendsAndRefusesWhatKafkaRefuses()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        harness.CreateTopic("t", 1, 1);
        ConfigResource resource = ConfigResource.ForTopic("t");

        harness.Call<IncrementalAlterConfigsResponse>(SetTopicConfig("t", "retention.ms", "1000"));
        Assert.Equal("1000", harness.Committed.ConfigsOf(resource)["retention.ms"]);
        harness.Call<IncrementalAlterConfigsResponse>(SetTopicConfig("t", "cleanup.policy", "compact", ConfigAlteration.OpAppend));
        Assert.Equal("delete,compact", harness.Committed.ConfigsOf(resource)["cleanup.policy"]);
        harness.Call<IncrementalAlterConfigsResponse>(SetTopicConfig("t", "retention.ms", null, ConfigAlteration.OpDelete));
        Assert.False(harness.Committed.ConfigsOf(resource).ContainsKey("retention.ms"));

        var appendToLong = harness.Call<IncrementalAlterConfigsResponse>(SetTopicConfig("t", "retention.ms", "1", ConfigAlteration.OpAppend)).Responses[0];
        var missing = harness.Call<IncrementalAlterConfigsResponse>(SetTopicConfig("ghost", "retention.ms", "1")).Responses[0];
        Assert.Equal((ErrorCode.InvalidConfig, "Can't APPEND to key retention.ms because its type is not LIST."), ((ErrorCode)appendToLong.ErrorCode, appendToLong.ErrorMessage));
        Assert.Equal((ErrorCode.UnknownTopicOrPartition, "The topic 'ghost' does not exist."), ((ErrorCode)missing.ErrorCode, missing.ErrorMessage));
    }

    [Fact]
    public void AlterConfigsReplacesTheWholeSetOfOverrides()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        harness.CreateTopic("t", 1, 1);
        harness.Call<IncrementalAlterConfigsResponse>(SetTopicConfig("t", "retention.ms", "1000"));

        var answer = harness.Call<AlterConfigsResponse>(new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)ConfigResourceType.Topic,
                    ResourceName = "t",
                    Configs = [new AlterConfigsRequest.AlterableConfig { Name = "segment.bytes", Value = "1048576" }],
                },
            ],
        });

        Assert.Equal((short)ErrorCode.None, answer.Responses[0].ErrorCode);
        Assert.Equal(["segment.bytes"], harness.Committed.ConfigsOf(ConfigResource.ForTopic("t")).Keys);
    }

    [Fact]
    public void ClusterWideBrokerDefaultsCanBeSetDynamically()
    {
        var harness = ControllerHarness.WithUnfencedBrokers(1);
        harness.CreateTopic("t", 1, 1);
        var request = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)ConfigResourceType.Broker,
                    ResourceName = "",
                    Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "log.retention.ms", Value = "5000" }],
                },
            ],
        };

        Assert.Equal((short)ErrorCode.None, harness.Call<IncrementalAlterConfigsResponse>(request).Responses[0].ErrorCode);

        Assert.Equal(5000, TopicConfigView.Effective(harness.Committed, harness.Config, "t").RetentionMs);
    }
}
