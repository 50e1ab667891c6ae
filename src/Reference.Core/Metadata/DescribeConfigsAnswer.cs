using System.Globalization;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using ResourceResult = Reference.Protocol.Messages.DescribeConfigsResponse.DescribeConfigsResult;
using EntryResult = Reference.Protocol.Messages.DescribeConfigsResponse.DescribeConfigsResourceResult;

namespace Reference.Core.Metadata;

/// <summary>
/// Answers DescribeConfigs from a node's metadata image (Kafka's <c>ConfigHelper</c> on the broker): a topic
/// shows every topic key with its effective value and source; this broker shows the broker keys topics fall
/// back to; the empty broker name shows the cluster-wide dynamic defaults that are set. Synonyms and
/// documentation are not reported.
/// </summary>
public static class DescribeConfigsAnswer
{
    public static DescribeConfigsResponse Answer(DescribeConfigsRequest request, MetadataImage image, NodeConfig node)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new ResourceResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            var (entries, error, message) = Entries((ConfigResourceType)resource.ResourceType, resource.ResourceName, image, node);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
            IEnumerable<ConfigEntryView> wanted = resource.ConfigurationKeys is null ? entries : entries.Where(e => resource.ConfigurationKeys.Contains(e.Name));
            result.Configs = [.. wanted.Select(Entry)];
            response.Results.Add(result);
        }
        return response;
    }

    private static (IReadOnlyList<ConfigEntryView>, ErrorCode, string?) Entries(ConfigResourceType type, string name, MetadataImage image, NodeConfig node)
    {
        switch (type)
        {
            case ConfigResourceType.Topic:
                return image.Topic(name) is null
                    ? ([], ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.")
                    : (TopicConfigView.Describe(image, node, name), ErrorCode.None, null);
            case ConfigResourceType.Broker when name == ConfigResource.ClusterDefaultBrokerName:
                return (ClusterDefaults(image), ErrorCode.None, null);
            case ConfigResourceType.Broker when name == node.NodeId.ToString(CultureInfo.InvariantCulture):
                return ([.. TopicConfigCatalog.All.Select(d => BrokerEntry(image, node, d)).OrderBy(e => e.Name, StringComparer.Ordinal)], ErrorCode.None, null);
            case ConfigResourceType.Broker:
                return ([], ErrorCode.InvalidRequest, $"Unexpected broker id, expected {node.NodeId} or empty string, but received {name}");
            default:
                return ([], ErrorCode.InvalidRequest, $"Unsupported resource type {(sbyte)type}");
        }
    }

    private static IReadOnlyList<ConfigEntryView> ClusterDefaults(MetadataImage image) =>
        [.. image.ConfigsOf(ConfigResource.ClusterDefaultBroker).Select(e => new ConfigEntryView(
            e.Key, e.Value, ConfigSource.DynamicDefaultBrokerConfig, ReadOnly: false, IsSensitive: false,
            TopicConfigCatalog.ForBrokerKey(e.Key)?.Type ?? ConfigType.Unknown))];

    private static ConfigEntryView BrokerEntry(MetadataImage image, NodeConfig node, ConfigDefinition definition)
    {
        var (value, source) = TopicConfigView.ResolveBrokerLevel(image, node, definition);
        return new ConfigEntryView(definition.BrokerSynonym, value, source, ReadOnly: false, IsSensitive: false, definition.Type);
    }

    private static EntryResult Entry(ConfigEntryView view) => new()
    {
        Name = view.Name,
        Value = view.Value,
        ReadOnly = view.ReadOnly,
        IsDefault = view.IsDefault,
        ConfigSource = (sbyte)view.Source,
        IsSensitive = view.IsSensitive,
        ConfigType = (sbyte)view.Type,
    };
}
