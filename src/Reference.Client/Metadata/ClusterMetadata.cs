using Reference.Client.Errors;
using Reference.Client.Network;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Client.Metadata;

/// <summary>A broker as metadata lists it.</summary>
public sealed record BrokerNode(int NodeId, string Host, int Port, string? Rack)
{
    public BrokerEndpoint Endpoint => new(Host, Port);
}

/// <summary>
/// One partition's leader and replicas. <see cref="LeaderId"/> is -1 when it has no leader. The eligible leader
/// replicas and the last known ELR (KIP-966) come only from DescribeTopicPartitions; they are null when the
/// partition was described through Metadata, which does not carry them.
/// </summary>
public sealed record PartitionMetadata(
    int Partition,
    int LeaderId,
    int LeaderEpoch,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> Isr,
    IReadOnlyList<int> OfflineReplicas,
    ErrorCode Error,
    IReadOnlyList<int>? Elr = null,
    IReadOnlyList<int>? LastKnownElr = null)
{
    public bool HasLeader => LeaderId >= 0;
}

/// <summary>One topic: its id, whether it is internal, and its partitions in index order.</summary>
public sealed record TopicMetadata(string Name, Uuid TopicId, bool IsInternal, ErrorCode Error, IReadOnlyList<PartitionMetadata> Partitions);

/// <summary>What a Metadata response says about the cluster, with topics in name order.</summary>
public sealed record ClusterMetadata(string? ClusterId, int ControllerId, IReadOnlyList<BrokerNode> Brokers, IReadOnlyList<TopicMetadata> Topics)
{
    public BrokerNode? Broker(int nodeId) => Brokers.FirstOrDefault(b => b.NodeId == nodeId);

    public TopicMetadata? Topic(string name) => Topics.FirstOrDefault(t => t.Name == name);

    public static ClusterMetadata From(MetadataResponse response)
    {
        var brokers = response.Brokers
            .Select(b => new BrokerNode(b.NodeId, b.Host, b.Port, b.Rack))
            .OrderBy(b => b.NodeId)
            .ToList();
        var topics = response.Topics
            .Where(t => t.Name is not null)
            .Select(t => new TopicMetadata(
                t.Name!,
                t.TopicId,
                t.IsInternal,
                (ErrorCode)t.ErrorCode,
                t.Partitions
                    .Select(p => new PartitionMetadata(p.PartitionIndex, p.LeaderId, p.LeaderEpoch, p.ReplicaNodes, p.IsrNodes, p.OfflineReplicas, (ErrorCode)p.ErrorCode))
                    .OrderBy(p => p.Partition)
                    .ToList()))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        return new ClusterMetadata(response.ClusterId, response.ControllerId, brokers, topics);
    }

    /// <summary>This answer's brokers and controller, with its topics replacing those of an older answer.</summary>
    public ClusterMetadata MergedOver(ClusterMetadata? older)
    {
        if (older is null) return this;
        var names = Topics.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var topics = Topics.Concat(older.Topics.Where(t => !names.Contains(t.Name)))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        return this with { Topics = topics };
    }
}
