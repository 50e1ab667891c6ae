using Reference.Core;
using Reference.Simulation.Network;

namespace Reference.Simulation.Cluster;

/// <summary>The kinds of fault the profile draws, each at its own drawn intervals and from its own stream.</summary>
internal enum DrawnFault
{
    Crash,
    Partition,
    Clog,
    Corruption,
}

/// <summary>
/// What the agenda holds. An event names the node incarnation it was scheduled for; when that incarnation
/// is gone (the node crashed) the event is dropped unseen, which is how a crash cancels its timers,
/// flushes and in-flight deliveries without searching the queue.
/// </summary>
internal abstract record AgendaEvent
{
    public sealed record NodeStart(int NodeId, int Incarnation, bool EmptyDisk) : AgendaEvent;

    public sealed record NodeWake(int NodeId, int Incarnation, long AtMs) : AgendaEvent;

    public sealed record FlushCompletes(int NodeId, int Incarnation, TopicPartition Log, long TargetOffset) : AgendaEvent;

    public sealed record RequestArrives(Connection Connection, ArrivedRequest Request) : AgendaEvent;

    /// <summary>The server answered the request in its core; the next queued one on the connection may go in.</summary>
    public sealed record ServeNext(Connection Connection) : AgendaEvent;

    public sealed record ResponseArrives(Connection Connection, int CorrelationId, byte[] Frame) : AgendaEvent;

    public sealed record RequestDeadline(Connection Connection, int CorrelationId) : AgendaEvent;

    /// <summary>A request fails at its client: refused (no connection), or its connection went away.</summary>
    public sealed record RequestFails(NetworkAddress Client, int ClientIncarnation, int ServerNodeId, OutstandingRequest Request, string Reason) : AgendaEvent;

    /// <summary>The client's close (FIN) reaches the server, after everything the client sent before it.</summary>
    public sealed record ServerSeesClose(Connection Connection) : AgendaEvent;

    /// <summary>The server's close (RST) reaches the client: what it had outstanding fails.</summary>
    public sealed record ClientSeesReset(Connection Connection) : AgendaEvent;

    public sealed record FaultDue(DrawnFault Kind) : AgendaEvent;

    public sealed record HealLinks(IReadOnlyList<(int From, int To)> Links, string Description) : AgendaEvent;

    public sealed record Scripted(Faults.ClusterFault Fault) : AgendaEvent;

    public sealed record WorkloadWake(long AtMs) : AgendaEvent;
}
