namespace Reference.Core.Node;

/// <summary>A client or peer connection, named by the shell; the core only answers on it.</summary>
public readonly record struct ConnectionId(long Value)
{
    public override string ToString() => $"conn-{Value}";
}

/// <summary>Which listener a request came in on: clients use the broker listener, KRaft peers the controller one.</summary>
public enum ListenerKind
{
    Broker,
    Controller,
}
