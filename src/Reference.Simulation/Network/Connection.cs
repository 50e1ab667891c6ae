using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Network;

/// <summary>A request that reached its server and waits its turn on the connection (or is being handled).</summary>
internal sealed record ArrivedRequest(int CorrelationId, ApiKey ApiKey, short ApiVersion, byte[] Frame);

/// <summary>A request a client sent and has not heard back about.</summary>
internal sealed record OutstandingRequest(int CorrelationId, ApiKey ApiKey, short ApiVersion, long SentAtMs, ClientRequestTag? Client);

/// <summary>For a workload client's request: the handle the workload gets back when it completes.</summary>
internal sealed record ClientRequestTag(Workload.ClientRequest Request);

/// <summary>
/// A TCP connection from a client (a node's peer client, or a workload client) to a node's listener,
/// bound to one incarnation of each end: when either restarts, the connection is gone and a new one is
/// opened. The server side keeps Kafka's rule of one request in the core at a time per connection (the
/// broker mutes a channel until it has answered), queueing the rest in arrival order.
/// </summary>
internal sealed class Connection(ConnectionId id, NetworkAddress client, int clientIncarnation, int serverNodeId, int serverIncarnation,
    ListenerKind listener, string clientId)
{
    /// <summary>Requests queued at the server at most; a sender that outruns this never waits for answers.</summary>
    public const int WaitingRequestsMax = 1_000;

    public ConnectionId Id { get; } = id;
    public NetworkAddress Client { get; } = client;
    public int ClientIncarnation { get; } = clientIncarnation;
    public int ServerNodeId { get; } = serverNodeId;
    public int ServerIncarnation { get; } = serverIncarnation;
    public ListenerKind Listener { get; } = listener;
    public string ClientId { get; } = clientId;

    /// <summary>The client's address as the server's core sees it ("n2", "c1"): formatted once, not for every request.</summary>
    public string ClientHost => _clientHost ??= Client.ToString();

    private string? _clientHost;

    /// <summary>The client still uses it: false once it timed out, was reset, or the client crashed.</summary>
    public bool ClientOpen { get; private set; } = true;

    /// <summary>The server still reads it: false once it saw the close, closed it itself, or crashed.</summary>
    public bool ServerOpen { get; private set; } = true;

    /// <summary>Arrived at the server, not yet handed to its core, in arrival order.</summary>
    public Queue<ArrivedRequest> Waiting { get; } = new();

    /// <summary>The one request the server's core holds (handed over, not yet answered).</summary>
    public ArrivedRequest? InCore { get; set; }

    /// <summary>Sent by the client and not yet answered, failed or timed out, by correlation id.</summary>
    public SortedDictionary<int, OutstandingRequest> Outstanding { get; } = new();

    /// <summary>The latest arrival at the server so far: TCP delivers a connection's bytes in order, a close last.</summary>
    public long LastArrivalAtServerMs;

    public long LastArrivalAtClientMs;

    /// <summary>
    /// For the explorer: the choice collection (its count) that last offered the head of this connection's way to
    /// the server (requests, then the close), its way back (responses, then the reset) and its deadlines.
    /// </summary>
    public int ToServerHeadOffered, ToClientHeadOffered, DeadlineHeadOffered;

    public void CloseClientSide()
    {
        ClientOpen = false;
        Outstanding.Clear();
    }

    public void CloseServerSide()
    {
        ServerOpen = false;
        Waiting.Clear();
        InCore = null;
    }

    public override string ToString() => $"{Id} {Client}->n{ServerNodeId}";
}
