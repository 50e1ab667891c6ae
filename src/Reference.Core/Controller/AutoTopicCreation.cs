using System.Globalization;
using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using CreatableTopic = Reference.Protocol.Messages.CreateTopicsRequest.CreatableTopic;

namespace Reference.Core.Controller;

/// <summary>
/// The CreateTopics requests a broker sends to the active controller to create topics on demand (Kafka's
/// <c>AutoTopicCreationManager</c>): for Metadata and Produce on an unknown topic when
/// <c>auto.create.topics.enable</c> is on, and for FindCoordinator before <c>__consumer_offsets</c> exists.
/// They are ordinary CreateTopics requests; the node sends them through <see cref="IPeerSender"/> and the
/// controller handles them like any other.
/// </summary>
public static class AutoTopicCreation
{
    /// <summary><c>offsets.topic.segment.bytes</c>: small segments so the cleaner can compact the offsets topic often.</summary>
    public const int OffsetsTopicSegmentBytes = 100 * 1024 * 1024;

    /// <summary>A user topic with the broker's defaults (<c>num.partitions</c>, <c>default.replication.factor</c>).</summary>
    public static CreatableTopic UserTopic(string name) => new() { Name = name, NumPartitions = -1, ReplicationFactor = -1 };

    /// <summary>
    /// <c>__consumer_offsets</c> as Kafka's group coordinator creates it: <c>offsets.topic.num.partitions</c>,
    /// <c>offsets.topic.replication.factor</c>, compacted, producer compression, 100 MiB segments.
    /// </summary>
    public static CreatableTopic ConsumerOffsets(NodeConfig config) => new()
    {
        Name = TopicNames.ConsumerOffsets,
        NumPartitions = config.OffsetsTopicNumPartitions,
        ReplicationFactor = config.OffsetsTopicReplicationFactor,
        Configs =
        [
            new CreateTopicsRequest.CreatableTopicConfig { Name = TopicConfigCatalog.CleanupPolicy, Value = TopicConfigCatalog.CleanupPolicyCompact },
            new CreateTopicsRequest.CreatableTopicConfig { Name = TopicConfigCatalog.CompressionType, Value = "producer" },
            new CreateTopicsRequest.CreatableTopicConfig { Name = TopicConfigCatalog.SegmentBytes, Value = OffsetsTopicSegmentBytes.ToString(CultureInfo.InvariantCulture) },
        ],
    };

    /// <summary>One request for the given topics, in the order given.</summary>
    public static CreateTopicsRequest Request(IEnumerable<CreatableTopic> topics, int timeoutMs) =>
        new() { Topics = [.. topics], TimeoutMs = timeoutMs, ValidateOnly = false };
}
