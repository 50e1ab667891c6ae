using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Raft.Harness;

/// <summary>Something waiting to happen in a test cluster: a message on the network or a flush finishing.</summary>
internal abstract record ClusterEvent;

internal sealed record RequestEvent(int From, int To, int CorrelationId, short Version, IRequestBody Body) : ClusterEvent
{
    public override string ToString() => $"{From}->{To} #{CorrelationId} {Body.ApiKey} v{Version}";
}

internal sealed record ResponseEvent(int From, int To, int CorrelationId, short Version, IResponseBody Body) : ClusterEvent
{
    public override string ToString() => $"{From}->{To} #{CorrelationId} {Body.ApiKey} response";
}

/// <summary>A flush the node asked for completes: what it wrote so far becomes durable.</summary>
internal sealed record FlushEvent(int Node, int Incarnation) : ClusterEvent
{
    public override string ToString() => $"flush on {Node}";
}
