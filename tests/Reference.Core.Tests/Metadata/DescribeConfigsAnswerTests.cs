using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

public sealed class DescribeConfigsAnswerTests
{
    private static readonly NodeConfig Node = NodeConfigFor(2) with { MinInsyncReplicas = 2 };

    private static readonly MetadataImage Image = MetadataImage.Empty.Apply(
    [
        V(Topic("t", Id(1))),
        V(TopicConfig("t", "retention.ms", "1000")),
        V(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = "", Name = "log.retention.bytes", Value = "5000" }),
    ], 0);

    private static DescribeConfigsResponse.DescribeConfigsResult Describe(ConfigResourceType type, string name, params string[]? keys)
    {
        var request = new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)type, ResourceName = name, ConfigurationKeys = keys is null ? null : [.. keys] }],
        };
        return Assert.Single(DescribeConfigsAnswer.Answer(request, Image, Node).Results);
    }

    [Fact]
    public void ATopicShowsItsKeysWithSourcesAndOnlyTheKeysAsked()
    {
        var result = Describe(ConfigResourceType.Topic, "t", "retention.ms", "min.insync.replicas", "retention.bytes");

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(
            ["min.insync.replicas=2/4", "retention.bytes=5000/3", "retention.ms=1000/1"],
            result.Configs.Select(c => $"{c.Name}={c.Value}/{c.ConfigSource}"));
        Assert.Equal(TopicConfigCatalog.All.Count, Describe(ConfigResourceType.Topic, "t", null).Configs.Count);
    }

    [Fact]
    public void AnUnknownTopicIsAnError()
    {
        var result = Describe(ConfigResourceType.Topic, "ghost", null);

        Assert.Equal((ErrorCode.UnknownTopicOrPartition, "The topic 'ghost' does not exist."), ((ErrorCode)result.ErrorCode, result.ErrorMessage));
    }

    [Fact]
    public void BrokersShowTheirKeysTheDefaultShowsWhatIsSetAndOtherBrokersAreNotOurs()
    {
        var self = Describe(ConfigResourceType.Broker, "2", "log.retention.bytes", "min.insync.replicas");
        var defaults = Describe(ConfigResourceType.Broker, "", null);
        var other = Describe(ConfigResourceType.Broker, "7", null);

        Assert.Equal(["log.retention.bytes=5000/3", "min.insync.replicas=2/4"], self.Configs.Select(c => $"{c.Name}={c.Value}/{c.ConfigSource}"));
        Assert.Equal("log.retention.bytes", Assert.Single(defaults.Configs).Name);
        Assert.Equal((short)ErrorCode.InvalidRequest, other.ErrorCode);
    }
}
