using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Tests.Toys;

/// <summary>
/// A toy node, not Kafka: it pings its peers every <see cref="SendIntervalMs"/> but answers each ping only
/// <see cref="AnswerAfterMs"/> later, so requests pile up on connections. It throws if the shell ever hands
/// it a second request on a connection before it answered the first (Kafka's one-at-a-time rule).
/// </summary>
public sealed class SlowAnswerNode(NodeConfig config) : INode
{
    public const long SendIntervalMs = 10;
    public const long AnswerAfterMs = 30;

    public static NodeImplementation Implementation { get; } = new("toy.slow-answer", (c, _, _, _) => new SlowAnswerNode(c));

    private readonly SortedDictionary<long, (RequestContext Context, long DueMs)> _parked = new();
    private int _nextCorrelationId = 1;
    private long _nextSendMs;

    public int Answered { get; private set; }
    public int Completed { get; private set; }

    public IReadOnlyList<NodeEffect> Handle(NodeInput input)
    {
        var effects = new List<NodeEffect>();
        switch (input)
        {
            case NodeInput.RequestReceived request:
                if (!_parked.TryAdd(request.Context.Connection.Value, (request.Context, request.NowMs + AnswerAfterMs)))
                    throw new InvalidOperationException($"a second request on {request.Context.Connection} before the first was answered");
                effects.Add(new NodeEffect.WakeAt(request.NowMs + AnswerAfterMs));
                break;
            case NodeInput.ResponseReceived or NodeInput.RequestFailed:
                Completed++;
                break;
        }
        foreach ((long connection, (RequestContext context, long dueMs)) in _parked.Where(p => p.Value.DueMs <= input.NowMs).ToList())
        {
            _parked.Remove(connection);
            Answered++;
            effects.Add(new NodeEffect.Respond(context, new ApiVersionsResponse()));
        }
        if (input.NowMs >= _nextSendMs)
        {
            _nextSendMs = input.NowMs + SendIntervalMs;
            foreach (VoterAddress peer in config.Voters.Where(v => v.NodeId != config.NodeId))
                effects.Add(new NodeEffect.SendRequest(peer.NodeId, _nextCorrelationId++, 0, new ApiVersionsRequest()));
            effects.Add(new NodeEffect.WakeAt(_nextSendMs));
        }
        return effects;
    }
}
