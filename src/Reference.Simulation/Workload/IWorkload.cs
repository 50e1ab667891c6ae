using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Workload;

/// <summary>
/// Clients of the simulated cluster: they send Kafka requests to nodes over client connections and record
/// what they invoked and what came back in the <see cref="History"/>. The simulator calls them from its one
/// thread, at virtual times, like any other event; a workload must be as deterministic as a node (its only
/// randomness is <see cref="IWorkloadContext.Random"/>).
/// </summary>
public interface IWorkload
{
    /// <summary>A short name for traces and summaries ("metadata-proposals").</summary>
    string Name { get; }

    /// <summary>Called once, at time 0, before any node has started.</summary>
    void Start(IWorkloadContext context);

    /// <summary>A node answered <paramref name="request"/>.</summary>
    void OnResponse(IWorkloadContext context, ClientRequest request, IResponseBody response);

    /// <summary>
    /// <paramref name="request"/> got no answer: "refused" (the node was down; the request never left), or
    /// "timeout" / "disconnected" (it may or may not have been handled).
    /// </summary>
    void OnFailure(IWorkloadContext context, ClientRequest request, string reason);

    /// <summary>A time the workload asked for with <see cref="IWorkloadContext.WakeAt"/> has come.</summary>
    void OnWake(IWorkloadContext context);
}

/// <summary>What a workload may do and see.</summary>
public interface IWorkloadContext
{
    long NowMs { get; }

    /// <summary>The workload's own stream: its choices never shift the network's or a node's.</summary>
    IDeterministicRandom Random { get; }

    /// <summary>Every node a client may connect to, in id order.</summary>
    IReadOnlyList<int> NodeIds { get; }

    /// <summary>The voters, in id order: the nodes with a controller listener.</summary>
    IReadOnlyList<int> VoterIds { get; }

    /// <summary>
    /// Sends a request from client <paramref name="clientId"/> to a node, on the client's connection to
    /// that node's <paramref name="listener"/>. The answer comes back through <see cref="IWorkload.OnResponse"/>
    /// or <see cref="IWorkload.OnFailure"/>, never both, never twice.
    /// </summary>
    ClientRequest Send(int clientId, int nodeId, ListenerKind listener, short apiVersion, IRequestBody body);

    /// <summary>
    /// Stops waiting for <paramref name="request"/>: the client closes the connection it went on, as Kafka's
    /// client does when a request times out, so later requests do not queue behind it at the server. The
    /// request is never reported again; other requests still on that connection fail as "disconnected".
    /// </summary>
    void GiveUp(ClientRequest request);

    /// <summary>Records an invocation or completion in the history (Jepsen style: invoke, then ok, fail or info).</summary>
    void Record(int clientId, long operationId, HistoryKind kind, string operation, string value);

    /// <summary>Asks for <see cref="IWorkload.OnWake"/> at <paramref name="atMs"/> (at the earliest now).</summary>
    void WakeAt(long atMs);
}

/// <summary>A request a client sent, as the workload is told about it again when it completes.</summary>
public sealed record ClientRequest(int ClientId, int NodeId, int CorrelationId, ApiKey ApiKey, short ApiVersion, long SentAtMs, IRequestBody Body);
