using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// What can happen to a node. Every input carries the time it happens at (the shell's clock: virtual in
/// the simulator, monotonic milliseconds in the broker), so the core never reads a clock.
/// </summary>
public abstract record NodeInput(long NowMs)
{
    /// <summary>The node starts, or restarts, with whatever its storage holds.</summary>
    public sealed record Started(long NowMs) : NodeInput(NowMs);

    /// <summary>Time moved on; the shell sends this when a <see cref="NodeEffect.WakeAt"/> is due.</summary>
    public sealed record TimeAdvanced(long NowMs) : NodeInput(NowMs);

    /// <summary>A client or peer request arrived on a connection.</summary>
    public sealed record RequestReceived(long NowMs, RequestContext Context, IRequestBody Body) : NodeInput(NowMs);

    /// <summary>A peer answered a request this node sent with <see cref="NodeEffect.SendRequest"/>.</summary>
    public sealed record ResponseReceived(long NowMs, int FromNodeId, int CorrelationId, IResponseBody Body) : NodeInput(NowMs);

    /// <summary>A request this node sent will get no answer (connection refused or lost, or timed out).</summary>
    public sealed record RequestFailed(long NowMs, int ToNodeId, int CorrelationId, string Reason) : NodeInput(NowMs);

    /// <summary>Everything written to <paramref name="Log"/> below <paramref name="DurableEndOffset"/> is on stable storage.</summary>
    public sealed record LogFlushed(long NowMs, TopicPartition Log, long DurableEndOffset) : NodeInput(NowMs);

    /// <summary>A client connection closed; requests parked for it can be dropped.</summary>
    public sealed record ConnectionClosed(long NowMs, ConnectionId Connection) : NodeInput(NowMs);
}
