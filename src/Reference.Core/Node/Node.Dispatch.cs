using Reference.Core.Controller;
using Reference.Core.Metadata;
using Reference.Core.Raft;
using Reference.Protocol;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Core.Node;

public sealed partial class Node
{
    /// <summary>
    /// Routes a request to the room that owns it. The shell has already refused APIs and versions the
    /// listener does not advertise; what reaches here on the wrong listener (a client's admin request on
    /// the broker listener) is forwarded to the active controller, as Kafka's brokers do.
    /// </summary>
    private void Dispatch(RequestContext context, IRequestBody body, long now)
    {
        if (DispatchToQuorum(context, body, now) || DispatchToController(context, body, now)) return;
        switch (body)
        {
            case ApiVersionsRequest apiVersions:
                _effects.Respond(context, ApiVersionsHandler.Answer(apiVersions, context.ApiVersion, TableFor(context.Listener)));
                return;
            case MetadataRequest metadata:
                AnswerMetadata(context, metadata);
                return;
            case DescribeClusterRequest:
                _effects.Respond(context, _answers.DescribeCluster(_metadata.Image, _raft.LeaderId));
                return;
            case DescribeTopicPartitionsRequest describeTopicPartitions:
                _effects.Respond(context, DescribeTopicPartitionsAnswer.Answer(describeTopicPartitions, _metadata.Image));
                return;
            case DescribeConfigsRequest describeConfigs:
                _effects.Respond(context, DescribeConfigsAnswer.Answer(describeConfigs, _metadata.Image, _config));
                return;
            case FindCoordinatorRequest findCoordinator:
                AnswerFindCoordinator(context, findCoordinator);
                return;
        }
        if (!_config.IsBroker || !DispatchToBroker(context, body, now)) _effects.Add(new NodeEffect.CloseConnection(context.Connection));
    }

    private static ApiVersionTable TableFor(ListenerKind listener) =>
        listener == ListenerKind.Controller ? ApiVersionTable.ControllerListener : ApiVersionTable.BrokerListener;

    /// <summary>KRaft's own RPCs, and DescribeQuorum once it has reached a controller.</summary>
    private bool DispatchToQuorum(RequestContext context, IRequestBody body, long now)
    {
        bool quorumRequest = body switch
        {
            VoteRequest or BeginQuorumEpochRequest or EndQuorumEpochRequest or FetchSnapshotRequest => true,
            FetchRequest fetch => RaftReplica.IsMetadataFetch(fetch, context.ApiVersion),
            DescribeQuorumRequest => context.Listener == ListenerKind.Controller && _config.IsController,
            _ => false,
        };
        return quorumRequest && _raft.HandleRequest(context, body, now, _effects);
    }

    /// <summary>Requests that change metadata: the controller's on a controller listener, forwarded from a broker's.</summary>
    private bool DispatchToController(RequestContext context, IRequestBody body, long now)
    {
        if (context.Listener == ListenerKind.Broker && ControllerForwarding.IsForwarded(body))
        {
            _forwarding.Forward(context, body, _effects);
            return true;
        }
        if (body is not (CreateTopicsRequest or DeleteTopicsRequest or CreatePartitionsRequest or AlterConfigsRequest
            or IncrementalAlterConfigsRequest or BrokerRegistrationRequest or BrokerHeartbeatRequest or UnregisterBrokerRequest
            or AllocateProducerIdsRequest or AlterPartitionRequest)) return false;
        if (_controller is null)
        {
            _effects.Respond(context, ControllerErrorResponses.For(body, ErrorCode.NotController));
            return true;
        }
        switch (body)
        {
            case CreateTopicsRequest create: _controller.HandleCreateTopics(context, create, now, _effects); break;
            case DeleteTopicsRequest delete: _controller.HandleDeleteTopics(context, delete, now, _effects); break;
            case CreatePartitionsRequest grow: _controller.HandleCreatePartitions(context, grow, now, _effects); break;
            case AlterConfigsRequest alter: _controller.HandleAlterConfigs(context, alter, now, _effects); break;
            case IncrementalAlterConfigsRequest alter: _controller.HandleIncrementalAlterConfigs(context, alter, now, _effects); break;
            case BrokerRegistrationRequest register: _controller.HandleBrokerRegistration(context, register, now, _effects); break;
            case BrokerHeartbeatRequest heartbeat: _controller.HandleBrokerHeartbeat(context, heartbeat, now, _effects); break;
            case UnregisterBrokerRequest unregister: _controller.HandleUnregisterBroker(context, unregister, now, _effects); break;
            case AllocateProducerIdsRequest allocate: _controller.HandleAllocateProducerIds(context, allocate, now, _effects); break;
            case AlterPartitionRequest alter: _controller.HandleAlterPartition(context, alter, now, _effects); break;
        }
        return true;
    }

    /// <summary>The data plane and the group coordinator.</summary>
    private bool DispatchToBroker(RequestContext context, IRequestBody body, long now)
    {
        switch (body)
        {
            case ProduceRequest produce: _partitions.HandleProduce(context, produce, now, _effects); return true;
            case FetchRequest fetch: _partitions.HandleFetch(context, fetch, now, _effects); return true;
            case ListOffsetsRequest listOffsets: _partitions.HandleListOffsets(context, listOffsets, now, _effects); return true;
            case DeleteRecordsRequest deleteRecords: _partitions.HandleDeleteRecords(context, deleteRecords, now, _effects); return true;
            case OffsetForLeaderEpochRequest epochs: _partitions.HandleOffsetForLeaderEpoch(context, epochs, now, _effects); return true;
            case InitProducerIdRequest initProducerId: _producerIds.HandleInitProducerId(context, initProducerId, now, _effects); return true;
            default: return _groups.TryHandle(context, body, now, _effects);
        }
    }

    private void AnswerMetadata(RequestContext context, MetadataRequest request)
    {
        var toCreate = new List<string>();
        MetadataResponse response = _answers.Metadata(request, context.ApiVersion, _metadata.Image, _raft.LeaderId, toCreate);
        if (toCreate.Count > 0) _forwarding.Create(toCreate.Select(AutoTopicCreation.UserTopic).ToList(), _effects);
        _effects.Respond(context, response);
    }

    private sealed record CoordinatorAnswer(string Key, ErrorCode Error, int NodeId, string Host, int Port, string? Message);

    /// <summary>
    /// A group's coordinator leads the group's __consumer_offsets partition. The first request for any group
    /// creates that topic (as Kafka does) and is answered COORDINATOR_NOT_AVAILABLE, which clients retry.
    /// </summary>
    private void AnswerFindCoordinator(RequestContext context, FindCoordinatorRequest request)
    {
        bool offsetsTopicExists = _metadata.Image.Topic(TopicNames.ConsumerOffsets) is not null;
        if (!offsetsTopicExists) _forwarding.Create([AutoTopicCreation.ConsumerOffsets(_config)], _effects);
        IReadOnlyList<string> keys = context.ApiVersion >= 4 ? request.CoordinatorKeys : [request.Key];
        List<CoordinatorAnswer> answers = keys.Select(key => FindCoordinator(key, request.KeyType, offsetsTopicExists)).ToList();
        CoordinatorAnswer first = answers[0];
        _effects.Respond(context, new FindCoordinatorResponse
        {
            ErrorCode = (short)first.Error,
            ErrorMessage = first.Message,
            NodeId = first.NodeId,
            Host = first.Host,
            Port = first.Port,
            Coordinators = answers.Select(a => new FindCoordinatorResponse.Coordinator
            {
                Key = a.Key, ErrorCode = (short)a.Error, ErrorMessage = a.Message, NodeId = a.NodeId, Host = a.Host, Port = a.Port,
            }).ToList(),
        });
    }

    private CoordinatorAnswer FindCoordinator(string key, sbyte keyType, bool offsetsTopicExists)
    {
        const sbyte GroupKeyType = 0;
        if (keyType != GroupKeyType)
            return new(key, ErrorCode.CoordinatorNotAvailable, -1, "", -1, "transactions are not supported by this broker");
        if (!offsetsTopicExists) return new(key, ErrorCode.CoordinatorNotAvailable, -1, "", -1, null);
        var (error, nodeId, host, port) = _answers.Coordinator(_metadata.Image, _groups.PartitionFor(key));
        return new(key, error, nodeId, host, port, null);
    }
}
