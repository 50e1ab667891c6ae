using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>A room's handlers for the answers to the requests it sent.</summary>
public sealed record PeerReplyHandlers(
    Action<int, int, IResponseBody, long, Effects> OnResponse,
    Action<int, int, long, Effects> OnFailure);

/// <summary>
/// Gives each outgoing request a correlation id, remembers which room sent it, and routes the answer back
/// to that room. A request to this node itself is not handed to the shell: it waits in the loopback queue
/// and the node delivers it in process after the current input, as a request on a loopback connection
/// whose answer comes back here instead of leaving the node. A request on the
/// <see cref="PeerChannel.Replication"/> channel leaves with the address <paramref name="replicationAddressOf"/>
/// gives for its peer (Kafka's replica fetchers reach a leader at its registered inter-broker endpoint).
/// </summary>
public sealed class PeerRouter(int selfNodeId, Func<int, Endpoint?> replicationAddressOf)
{
    /// <summary>Outstanding requests at most; more means a room is leaking them.</summary>
    public const int PendingRequestsMax = 100_000;

    /// <summary>Loopback requests queued in one step at most.</summary>
    public const int LoopbackQueueMax = 10_000;

    /// <summary>Loopback connections are negative so they can never collide with the shell's.</summary>
    public static bool IsLoopback(ConnectionId connection) => connection.Value < 0;

    /// <summary>
    /// Outstanding requests by correlation id. A hash map: every answer and failure looks one up; the one
    /// sweep over it (<see cref="FailAllTo"/>) sorts what it takes, so no hash order reaches an effect.
    /// </summary>
    private readonly Dictionary<int, (int ToNodeId, PeerReplyHandlers Handlers)> _pending = new();
    private readonly Queue<(int CorrelationId, short ApiVersion, IRequestBody Body)> _loopback = new();
    private int _nextCorrelationId = 1;

    public int PendingCount => _pending.Count;

    /// <summary>The <see cref="IPeerSender"/> a room uses; answers go to <paramref name="handlers"/>.</summary>
    public IPeerSender SenderFor(PeerReplyHandlers handlers) => new Sender(this, handlers);

    private int Send(int toNodeId, short apiVersion, IRequestBody body, Effects effects, PeerReplyHandlers handlers)
    {
        if (_pending.Count >= PendingRequestsMax) throw new InvalidOperationException($"more than {PendingRequestsMax} requests outstanding");
        int correlationId = _nextCorrelationId;
        _nextCorrelationId = _nextCorrelationId == int.MaxValue ? 1 : _nextCorrelationId + 1;
        _pending[correlationId] = (toNodeId, handlers);
        if (toNodeId == selfNodeId)
        {
            if (_loopback.Count >= LoopbackQueueMax) throw new InvalidOperationException($"more than {LoopbackQueueMax} loopback requests in one step");
            _loopback.Enqueue((correlationId, apiVersion, body));
        }
        else
        {
            Endpoint? address = PeerChannels.For(body) == PeerChannel.Replication ? replicationAddressOf(toNodeId) : null;
            effects.Add(new NodeEffect.SendRequest(toNodeId, correlationId, apiVersion, body, address));
        }
        return correlationId;
    }

    /// <summary>Takes the next request this node sent itself, with the context to dispatch it under.</summary>
    public bool TryTakeLoopback(long nowMs, out RequestContext context, out IRequestBody body)
    {
        if (!_loopback.TryDequeue(out var next))
        {
            context = null!;
            body = null!;
            return false;
        }
        context = new RequestContext(new ConnectionId(-next.CorrelationId), ListenerKind.Controller, next.CorrelationId,
            next.ApiVersion, ClientId: $"node-{selfNodeId}", ClientHost: "loopback", nowMs);
        body = next.Body;
        return true;
    }

    /// <summary>Hands an answer to the room that sent the request; unknown or late answers are dropped.</summary>
    public void DeliverResponse(int fromNodeId, int correlationId, IResponseBody body, long nowMs, Effects effects)
    {
        if (!TakePending(correlationId, fromNodeId, out PeerReplyHandlers? handlers)) return;
        handlers.OnResponse(fromNodeId, correlationId, body, nowMs, effects);
    }

    public void DeliverFailure(int toNodeId, int correlationId, long nowMs, Effects effects)
    {
        if (!TakePending(correlationId, toNodeId, out PeerReplyHandlers? handlers)) return;
        handlers.OnFailure(toNodeId, correlationId, nowMs, effects);
    }

    /// <summary>Removes a pending request only if it went to <paramref name="peerNodeId"/>: a stray answer must not cancel it.</summary>
    private bool TakePending(int correlationId, int peerNodeId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PeerReplyHandlers? handlers)
    {
        handlers = null;
        if (!_pending.TryGetValue(correlationId, out var pending) || pending.ToNodeId != peerNodeId) return false;
        _pending.Remove(correlationId);
        handlers = pending.Handlers;
        return true;
    }

    /// <summary>Forgets every outstanding request to a node, telling their rooms they failed (a peer restarted).</summary>
    public void FailAllTo(int toNodeId, long nowMs, Effects effects)
    {
        foreach (int correlationId in _pending.Where(p => p.Value.ToNodeId == toNodeId).Select(p => p.Key).Order().ToList())
            DeliverFailure(toNodeId, correlationId, nowMs, effects);
    }

    private sealed class Sender(PeerRouter router, PeerReplyHandlers handlers) : IPeerSender
    {
        public int Send(int toNodeId, short apiVersion, IRequestBody body, Effects effects) =>
            router.Send(toNodeId, apiVersion, body, effects, handlers);
    }
}
