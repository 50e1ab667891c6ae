using Reference.Core.Controller;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// A broker does not change metadata itself: admin requests a client sends it (CreateTopics, DeleteTopics,
/// CreatePartitions, AlterConfigs, IncrementalAlterConfigs, DescribeQuorum) go to the active controller and
/// its answer goes back to the client (KIP-590's forwarding). In a combined node whose controller is
/// active the request is delivered in process. Topics that Metadata auto-creates go the same way.
/// </summary>
public sealed class ControllerForwarding(IControllerLocator controllers)
{
    /// <summary>Forwarded requests awaiting an answer at most; beyond it clients get NOT_CONTROLLER and retry.</summary>
    public const int WaitingMax = 10_000;

    /// <summary>Topic creations in flight at most, so a storm of Metadata requests cannot queue unbounded work.</summary>
    public const int CreationsInFlightMax = 1_000;

    private const int AutoCreateTimeoutMs = 30_000;

    /// <summary>CreateTopics v7 answers with topic ids and configs, which auto-creation does not need but costs nothing.</summary>
    private const short CreateTopicsVersion = 7;

    private readonly SortedDictionary<int, (RequestContext Context, IRequestBody Body)> _waiting = new();
    private readonly SortedDictionary<int, IReadOnlyList<string>> _creating = new();
    private IPeerSender? _peers;

    /// <summary>Set once by the node: the sender whose answers come back to <see cref="OnResponse"/>.</summary>
    public IPeerSender Peers { set => _peers = value; }

    public static bool IsForwarded(IRequestBody body) => body is CreateTopicsRequest or DeleteTopicsRequest or CreatePartitionsRequest
        or AlterConfigsRequest or IncrementalAlterConfigsRequest or DescribeQuorumRequest;

    public void Forward(RequestContext context, IRequestBody body, Effects effects)
    {
        if (controllers.ActiveControllerId is not int controller || _waiting.Count >= WaitingMax)
        {
            effects.Respond(context, ControllerErrorResponses.For(body, ErrorCode.NotController));
            return;
        }
        int correlationId = _peers!.Send(controller, context.ApiVersion, body, effects);
        _waiting[correlationId] = (context, body);
    }

    /// <summary>Asks the controller to create topics (auto-creation), unless a creation of them is already in flight.</summary>
    public void Create(IReadOnlyList<CreateTopicsRequest.CreatableTopic> topics, Effects effects)
    {
        var inFlight = _creating.Values.SelectMany(names => names).ToHashSet(StringComparer.Ordinal);
        var fresh = topics.Where(t => !inFlight.Contains(t.Name)).ToList();
        if (fresh.Count == 0 || _creating.Count >= CreationsInFlightMax || controllers.ActiveControllerId is not int controller) return;
        int correlationId = _peers!.Send(controller, CreateTopicsVersion, AutoTopicCreation.Request(fresh, AutoCreateTimeoutMs), effects);
        _creating[correlationId] = fresh.Select(t => t.Name).ToList();
    }

    public void OnResponse(int correlationId, IResponseBody body, Effects effects)
    {
        if (_creating.Remove(correlationId)) return;
        if (_waiting.Remove(correlationId, out var waiting)) effects.Respond(waiting.Context, body);
    }

    public void OnFailure(int correlationId, Effects effects)
    {
        if (_creating.Remove(correlationId)) return;
        if (_waiting.Remove(correlationId, out var waiting))
            effects.Respond(waiting.Context, ControllerErrorResponses.For(waiting.Body, ErrorCode.NotController));
    }
}
