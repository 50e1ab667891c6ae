using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Tests.Toys;

/// <summary>
/// A toy node, not Kafka: it pings like <see cref="PingNode"/>, and answers CreateTopics the way a KRaft
/// controller listener would if node <see cref="ControllerId"/> were the active controller forever: that
/// node creates unknown topics (TOPIC_ALREADY_EXISTS for known ones) and deletes known ones
/// (UNKNOWN_TOPIC_OR_PARTITION for others), every other node says NOT_CONTROLLER.
/// Enough to exercise the workload's plumbing and retries.
/// </summary>
public sealed class ToyControllerNode(NodeConfig config) : INode
{
    public const int ControllerId = 2;

    public static NodeImplementation Implementation { get; } = new("toy.controller", (c, _, _, _) => new ToyControllerNode(c));

    private readonly PingNode _pings = new(config);
    private readonly SortedSet<string> _topics = new(StringComparer.Ordinal);

    public IReadOnlyList<NodeEffect> Handle(NodeInput input) => input switch
    {
        NodeInput.RequestReceived { Body: CreateTopicsRequest create } request => [new NodeEffect.Respond(request.Context, Create(create))],
        NodeInput.RequestReceived { Body: DeleteTopicsRequest delete } request => [new NodeEffect.Respond(request.Context, Delete(delete))],
        _ => _pings.Handle(input),
    };

    private CreateTopicsResponse Create(CreateTopicsRequest create)
    {
        var response = new CreateTopicsResponse();
        foreach (CreateTopicsRequest.CreatableTopic topic in create.Topics)
        {
            ErrorCode error = config.NodeId != ControllerId ? ErrorCode.NotController
                : _topics.Add(topic.Name) ? ErrorCode.None : ErrorCode.TopicAlreadyExists;
            response.Topics.Add(new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name, ErrorCode = (short)error });
        }
        return response;
    }

    private DeleteTopicsResponse Delete(DeleteTopicsRequest delete)
    {
        var response = new DeleteTopicsResponse();
        foreach (DeleteTopicsRequest.DeleteTopicState topic in delete.Topics)
        {
            ErrorCode error = config.NodeId != ControllerId ? ErrorCode.NotController
                : _topics.Remove(topic.Name ?? "") ? ErrorCode.None : ErrorCode.UnknownTopicOrPartition;
            response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = topic.Name, ErrorCode = (short)error });
        }
        return response;
    }
}
