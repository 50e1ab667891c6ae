using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Tests.Toys;

/// <summary>
/// A toy node, not Kafka: it pings like <see cref="PingNode"/>, and answers CreateTopics the way a KRaft
/// controller listener would if node <see cref="ControllerId"/> were the active controller forever: that
/// node creates unknown topics (TOPIC_ALREADY_EXISTS for known ones), every other node says NOT_CONTROLLER.
/// Enough to exercise the workload's plumbing and retries.
/// </summary>
public sealed class ToyControllerNode(NodeConfig config) : INode
{
    public const int ControllerId = 2;

    public static NodeImplementation Implementation { get; } = new("toy.controller", (c, _, _, _) => new ToyControllerNode(c));

    private readonly PingNode _pings = new(config);
    private readonly SortedSet<string> _topics = new(StringComparer.Ordinal);

    public IReadOnlyList<NodeEffect> Handle(NodeInput input)
    {
        if (input is not NodeInput.RequestReceived { Body: CreateTopicsRequest create } request) return _pings.Handle(input);
        var response = new CreateTopicsResponse();
        foreach (CreateTopicsRequest.CreatableTopic topic in create.Topics)
        {
            ErrorCode error = config.NodeId != ControllerId ? ErrorCode.NotController
                : _topics.Add(topic.Name) ? ErrorCode.None : ErrorCode.TopicAlreadyExists;
            response.Topics.Add(new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name, ErrorCode = (short)error });
        }
        return [new NodeEffect.Respond(request.Context, response)];
    }
}
