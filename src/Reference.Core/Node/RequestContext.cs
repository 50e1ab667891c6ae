namespace Reference.Core.Node;

/// <summary>
/// Everything about a request except its body: where to answer, in which version, and who asked. A
/// component that cannot answer at once (a produce waiting for acks, a fetch waiting for data, a topic
/// creation waiting for its records to commit) keeps the context and answers later with it.
/// </summary>
public sealed record RequestContext(
    ConnectionId Connection,
    ListenerKind Listener,
    int CorrelationId,
    short ApiVersion,
    string? ClientId,
    string ClientHost,
    long ReceivedAtMs);
