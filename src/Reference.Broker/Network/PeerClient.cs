using Reference.Broker.Hosting;
using Reference.Core.Node;

namespace Reference.Broker.Network;

/// <summary>
/// Carries out <see cref="NodeEffect.SendRequest"/>: one connection per peer and channel, opened on the first
/// request and again after it is lost. Raft and controller requests go to the voters of
/// controller.quorum.voters, on their controller listener. Replica fetches (<see cref="PeerChannel.Replication"/>)
/// go to the address the request carries, the leader's registered inter-broker endpoint, so a broker-only
/// node can be fetched from: that connection is opened lazily, replaced when the address changes (a broker
/// restarted on another port), and refused when the request has no address. Every request ends in exactly
/// one input for the node: ResponseReceived, or RequestFailed when the connection is refused, lost, replaced,
/// or a request times out (which also closes the connection, as Kafka's NetworkClient does: a connection's
/// answers come in order, so a late one would hold up the rest). Requests to this node itself never get
/// here; the node delivers them in process. Send is called from the event loop only.
/// </summary>
internal sealed class PeerClient : IAsyncDisposable
{
    /// <summary>Replication connections at most (one per partition leader this node follows); more are refused.</summary>
    public const int ReplicationConnectionsMax = 1024;

    private readonly int _selfNodeId;
    private readonly int _requestTimeoutMs;
    private readonly int _responseBytesMax;
    private readonly INodeInbox _inbox;
    private readonly BrokerLog _log;
    private readonly Dictionary<(int NodeId, PeerChannel Channel), PeerConnection> _voters;
    private readonly Dictionary<int, (Endpoint Address, PeerConnection Connection)> _replication = [];

    /// <summary>Replaced replication connections still closing; pruned as they finish, so bounded by the changes in flight.</summary>
    private readonly List<Task> _retiring = [];

    public PeerClient(int selfNodeId, IEnumerable<VoterAddress> voters, int requestTimeoutMs, int responseBytesMax, INodeInbox inbox, BrokerLog log)
    {
        _selfNodeId = selfNodeId;
        _requestTimeoutMs = requestTimeoutMs;
        _responseBytesMax = responseBytesMax;
        _inbox = inbox;
        _log = log;
        _voters = voters.Where(v => v.NodeId != selfNodeId)
            .SelectMany(v => new[] { PeerChannel.Raft, PeerChannel.Controller }.Select(channel => (Voter: v, Channel: channel)))
            .ToDictionary(p => (p.Voter.NodeId, p.Channel), p => Connect(p.Voter, p.Channel));
    }

    /// <summary>
    /// Queues a request on the connection of its peer and channel (<see cref="PeerChannel"/>); never blocks
    /// (the event loop calls it). Returns why it cannot be sent, or null: the caller turns a reason into a
    /// RequestFailed input itself.
    /// </summary>
    public string? Send(NodeEffect.SendRequest request)
    {
        PeerChannel channel = PeerChannels.For(request.Body);
        if (channel == PeerChannel.Replication) return SendToBroker(request);
        return _voters.TryGetValue((request.ToNodeId, channel), out PeerConnection? peer)
            ? peer.Send(request)
            : $"node {request.ToNodeId} is not in controller.quorum.voters, so this node has no address for it";
    }

    private string? SendToBroker(NodeEffect.SendRequest request)
    {
        if (request.Address is not { } address)
            return $"node {request.ToNodeId} has no endpoint on the inter-broker listener in the metadata, so this node has no address for it";
        if (_replication.TryGetValue(request.ToNodeId, out var current))
        {
            if (current.Address == address) return current.Connection.Send(request);
            // The broker registered again elsewhere: what waits on the old address fails, and the fetcher retries here.
            _log.Info("PeerClient", $"Node {request.ToNodeId} moved from {current.Address} to {address}; reconnecting");
            _retiring.RemoveAll(task => task.IsCompleted);
            _retiring.Add(current.Connection.RetireAsync($"node {request.ToNodeId} moved to {address}").AsTask());
            _replication.Remove(request.ToNodeId);
        }
        else if (_replication.Count >= ReplicationConnectionsMax)
        {
            return $"this node already has {ReplicationConnectionsMax} replication connections open";
        }
        PeerConnection connection = Connect(new VoterAddress(request.ToNodeId, address.Host, address.Port), PeerChannel.Replication);
        _replication[request.ToNodeId] = (address, connection);
        return connection.Send(request);
    }

    private PeerConnection Connect(VoterAddress peer, PeerChannel channel) =>
        new(peer, $"kraft-node-{_selfNodeId}-{channel.ToString().ToLowerInvariant()}", _requestTimeoutMs, _responseBytesMax, _inbox, _log);

    public async ValueTask DisposeAsync()
    {
        foreach (PeerConnection peer in _voters.Values) await peer.DisposeAsync();
        foreach (var peer in _replication.Values) await peer.Connection.DisposeAsync();
        await Task.WhenAll(_retiring);
    }
}
