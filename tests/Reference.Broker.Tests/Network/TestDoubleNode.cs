using System.Collections.Concurrent;
using Reference.Core.Node;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Broker.Tests.Network;

/// <summary>
/// A stand-in for the core's Node, which is being written in parallel: enough to drive the shell and watch
/// what it delivers. It answers ApiVersions and acks=1 produces one millisecond late (through WakeAt, so a
/// shell that handed it a second request from the same connection early would be caught), emits what it
/// is told to on Started, and records every input. It models nothing of Kafka beyond that.
/// </summary>
internal sealed class TestDoubleNode : INode
{
    private readonly List<NodeInput.RequestReceived> _deferred = [];
    private readonly Dictionary<ConnectionId, int> _inFlight = [];

    public ConcurrentQueue<NodeInput> Inputs { get; } = new();

    /// <summary>The most requests of one connection the node held unanswered at once; the shell keeps it at 1.</summary>
    public int MaxInFlightPerConnection { get; private set; }

    public List<NodeEffect> OnStarted { get; } = [];

    public IReadOnlyList<NodeEffect> Handle(NodeInput input)
    {
        Inputs.Enqueue(input);
        switch (input)
        {
            case NodeInput.Started:
                return OnStarted;
            case NodeInput.RequestReceived { Body: ProduceRequest { Acks: 0 } }:
                return [];
            case NodeInput.RequestReceived request:
                int inFlight = _inFlight[request.Context.Connection] = _inFlight.GetValueOrDefault(request.Context.Connection) + 1;
                MaxInFlightPerConnection = Math.Max(MaxInFlightPerConnection, inFlight);
                _deferred.Add(request);
                return [new NodeEffect.WakeAt(request.NowMs + 1)];
            case NodeInput.TimeAdvanced:
                return AnswerDeferred();
            default:
                return [];
        }
    }

    public bool Saw<T>(Func<T, bool> predicate) where T : NodeInput => Inputs.OfType<T>().Any(predicate);

    private List<NodeEffect> AnswerDeferred()
    {
        var effects = new List<NodeEffect>();
        foreach (NodeInput.RequestReceived request in _deferred)
        {
            _inFlight[request.Context.Connection]--;
            IResponseBody body = request.Body switch
            {
                ProduceRequest => new ProduceResponse(),
                _ => new ApiVersionsResponse { ApiKeys = ApiVersionTable.BrokerListener.ToResponseEntries() },
            };
            effects.Add(new NodeEffect.Respond(request.Context, body));
        }
        _deferred.Clear();
        return effects;
    }
}
