using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// What any broker answers from its own committed metadata image, without asking the controller:
/// Metadata (brokers, topics, leaders), FindCoordinator and DescribeCluster. Brokers are listed only
/// while active (registered, unfenced, not shutting down), with the endpoint of the listener clients use.
/// This node lists itself only once <paramref name="registeredInImage"/> holds: a restarted broker's image
/// still shows its previous incarnation active, yet it serves nothing until its new registration is in
/// (Kafka's broker opens its listeners only at the end of its startup).
/// </summary>
public sealed class ClusterAnswers(NodeConfig config, Func<MetadataImage, bool> registeredInImage)
{
    private string ClientListenerName => config.AdvertisedBrokerEndpoints.Count > 0 ? config.AdvertisedBrokerEndpoints[0].ListenerName : "PLAINTEXT";

    /// <summary>The active brokers with their client endpoint, in id order.</summary>
    public IEnumerable<(int Id, RegisteredEndpoint Endpoint, string? Rack)> ActiveBrokers(MetadataImage image)
    {
        foreach (BrokerRegistration broker in image.Brokers.Values)
        {
            if (!broker.IsActive || (broker.BrokerId == config.NodeId && !registeredInImage(image))) continue;
            RegisteredEndpoint? endpoint = EndpointOf(broker);
            if (endpoint is not null) yield return (broker.BrokerId, endpoint, broker.Rack);
        }
    }

    private RegisteredEndpoint? EndpointOf(BrokerRegistration broker) =>
        broker.Endpoints.FirstOrDefault(e => e.ListenerName == ClientListenerName) ?? broker.Endpoints.FirstOrDefault();

    /// <summary>
    /// Kafka's KRaft brokers report a live broker as the "controller" to clients, which cannot reach the
    /// quorum: the quorum leader when it is also a broker, else the lowest active broker.
    /// </summary>
    public int ControllerIdForClients(MetadataImage image, int? quorumLeaderId)
    {
        if (quorumLeaderId is int leader && image.IsActiveBroker(leader)) return leader;
        foreach (var broker in ActiveBrokers(image)) return broker.Id;
        return -1;
    }

    /// <summary>
    /// Answers Metadata; topics that do not exist and may be auto-created are returned in
    /// <paramref name="toCreate"/> and answered LEADER_NOT_AVAILABLE, which clients retry.
    /// </summary>
    public MetadataResponse Metadata(MetadataRequest request, short version, MetadataImage image, int? quorumLeaderId, List<string> toCreate)
    {
        var response = new MetadataResponse
        {
            ClusterId = config.ClusterId,
            ControllerId = ControllerIdForClients(image, quorumLeaderId),
            Brokers = ActiveBrokers(image).Select(b => new MetadataResponse.MetadataResponseBroker
            {
                NodeId = b.Id, Host = b.Endpoint.Host, Port = b.Endpoint.Port, Rack = b.Rack,
            }).ToList(),
        };
        // v0 has no null: an empty list asks for every topic, as does null from v1.
        bool allTopics = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        bool mayCreate = config.AutoCreateTopicsEnable && (version < 4 || request.AllowAutoTopicCreation);
        IEnumerable<MetadataResponse.MetadataResponseTopic> topics = allTopics
            ? image.Topics.Values.Select(Describe)
            : request.Topics!.Select(t => DescribeRequested(t, image, mayCreate, toCreate));
        response.Topics = topics.ToList();
        // Metadata v8+ reports what the caller may do with each topic only when asked; without an authorizer, everything.
        if (version >= 8 && request.IncludeTopicAuthorizedOperations)
            foreach (var topic in response.Topics) topic.TopicAuthorizedOperations = DescribeTopicPartitionsAnswer.AllTopicOperations;
        return response;
    }

    private MetadataResponse.MetadataResponseTopic DescribeRequested(MetadataRequest.MetadataRequestTopic requested, MetadataImage image, bool mayCreate, List<string> toCreate)
    {
        TopicImage? topic = requested.Name is not null ? image.Topic(requested.Name) : image.Topic(requested.TopicId);
        if (topic is not null) return Describe(topic);
        var missing = new MetadataResponse.MetadataResponseTopic { Name = requested.Name, TopicId = requested.TopicId };
        if (requested.Name is null)
            missing.ErrorCode = (short)ErrorCode.UnknownTopicId;
        else if (TopicNames.Validate(requested.Name) is not null)
            missing.ErrorCode = (short)ErrorCode.InvalidTopicException;
        else if (mayCreate && !TopicNames.IsInternal(requested.Name))
        {
            missing.ErrorCode = (short)ErrorCode.LeaderNotAvailable;
            toCreate.Add(requested.Name);
        }
        else
            missing.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
        return missing;
    }

    private static MetadataResponse.MetadataResponseTopic Describe(TopicImage topic) => new()
    {
        Name = topic.Name,
        TopicId = topic.TopicId,
        IsInternal = topic.IsInternal,
        Partitions = topic.Partitions.Select(p => new MetadataResponse.MetadataResponsePartition
        {
            PartitionIndex = p.Key,
            ErrorCode = (short)(p.Value.HasLeader ? ErrorCode.None : ErrorCode.LeaderNotAvailable),
            LeaderId = p.Value.Leader,
            LeaderEpoch = p.Value.LeaderEpoch,
            ReplicaNodes = [.. p.Value.Replicas],
            IsrNodes = [.. p.Value.Isr],
        }).ToList(),
    };

    /// <summary>Where a group's coordinator is: the leader of its __consumer_offsets partition, if active.</summary>
    public (ErrorCode Error, int NodeId, string Host, int Port) Coordinator(MetadataImage image, int offsetsPartition)
    {
        PartitionRegistration? partition = image.Partition(new TopicPartition(TopicNames.ConsumerOffsets, offsetsPartition));
        if (partition is null || !partition.HasLeader) return (ErrorCode.CoordinatorNotAvailable, -1, "", -1);
        BrokerRegistration? leader = image.Broker(partition.Leader);
        RegisteredEndpoint? endpoint = leader is { IsActive: true } ? EndpointOf(leader) : null;
        return endpoint is null ? (ErrorCode.CoordinatorNotAvailable, -1, "", -1) : (ErrorCode.None, leader!.BrokerId, endpoint.Host, endpoint.Port);
    }

    public DescribeClusterResponse DescribeCluster(MetadataImage image, int? quorumLeaderId) => new()
    {
        ClusterId = config.ClusterId,
        ControllerId = ControllerIdForClients(image, quorumLeaderId),
        Brokers = ActiveBrokers(image).Select(b => new DescribeClusterResponse.DescribeClusterBroker
        {
            BrokerId = b.Id, Host = b.Endpoint.Host, Port = b.Endpoint.Port, Rack = b.Rack,
        }).ToList(),
    };
}
