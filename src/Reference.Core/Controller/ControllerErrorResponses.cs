using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// The answer to a controller request that is refused as a whole (NOT_CONTROLLER when this node is not the
/// active controller, REQUEST_TIMED_OUT when too much is waiting): every item of the request carries the
/// error, as Kafka's <c>ControllerApis</c> answers when the controller future fails.
/// </summary>
internal static class ControllerErrorResponses
{
    public static IResponseBody For(IRequestBody request, ErrorCode error)
    {
        short code = (short)error;
        return request switch
        {
            CreateTopicsRequest create => new CreateTopicsResponse
            {
                Topics = [.. create.Topics.Select(t => new CreateTopicsResponse.CreatableTopicResult { Name = t.Name, ErrorCode = code })],
            },
            DeleteTopicsRequest delete => new DeleteTopicsResponse
            {
                Responses =
                [
                    .. delete.TopicNames.Select(name => new DeleteTopicsResponse.DeletableTopicResult { Name = name, ErrorCode = code }),
                    .. delete.Topics.Select(t => new DeleteTopicsResponse.DeletableTopicResult { Name = t.Name, TopicId = t.TopicId, ErrorCode = code }),
                ],
            },
            CreatePartitionsRequest grow => new CreatePartitionsResponse
            {
                Results = [.. grow.Topics.Select(t => new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = t.Name, ErrorCode = code })],
            },
            AlterConfigsRequest alter => new AlterConfigsResponse
            {
                Responses = [.. alter.Resources.Select(r => new AlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = r.ResourceType, ResourceName = r.ResourceName, ErrorCode = code })],
            },
            IncrementalAlterConfigsRequest alter => new IncrementalAlterConfigsResponse
            {
                Responses = [.. alter.Resources.Select(r => new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = r.ResourceType, ResourceName = r.ResourceName, ErrorCode = code })],
            },
            BrokerRegistrationRequest => new BrokerRegistrationResponse { ErrorCode = code },
            BrokerHeartbeatRequest => new BrokerHeartbeatResponse { ErrorCode = code, IsFenced = true },
            UnregisterBrokerRequest => new UnregisterBrokerResponse { ErrorCode = code },
            AllocateProducerIdsRequest => new AllocateProducerIdsResponse { ErrorCode = code },
            AlterPartitionRequest => new AlterPartitionResponse { ErrorCode = code },
            DescribeQuorumRequest => new DescribeQuorumResponse { ErrorCode = code },
            _ => throw new ArgumentException($"{request.ApiKey} is not a controller request", nameof(request)),
        };
    }
}
