using Reference.Broker.Hosting;
using Reference.Core.Node;

namespace Reference.Broker.Network;

/// <summary>
/// Carries out <see cref="NodeEffect.SendRequest"/>: one connection per peer and channel (the voters of
/// controller.quorum.voters, on their controller listener), opened on the first request and again after
/// it is lost. Every request ends in exactly one input for the node: ResponseReceived, or RequestFailed
/// when the connection is refused, lost, or a request times out (which also closes the connection, as
/// Kafka's NetworkClient does: a connection's answers come in order, so a late one would hold up the rest).
/// Requests to this node itself never get here; the node delivers them in process.
/// </summary>
internal sealed class PeerClient : IAsyncDisposable
{
    private readonly Dictionary<(int NodeId, PeerChannel Channel), PeerConnection> _peers;

    public PeerClient(int selfNodeId, IEnumerable<VoterAddress> voters, int requestTimeoutMs, int responseBytesMax, INodeInbox inbox, BrokerLog log)
    {
        _peers = voters.Where(v => v.NodeId != selfNodeId)
            .SelectMany(v => Enum.GetValues<PeerChannel>().Select(channel => (Voter: v, Channel: channel)))
            .ToDictionary(
                p => (p.Voter.NodeId, p.Channel),
                p => new PeerConnection(p.Voter, $"kraft-node-{selfNodeId}-{p.Channel.ToString().ToLowerInvariant()}", requestTimeoutMs, responseBytesMax, inbox, log));
    }

    /// <summary>
    /// Queues a request on the connection of its peer and channel (<see cref="PeerChannel"/>); never blocks
    /// (the event loop calls it). Returns why it cannot be sent, or null: the caller turns a reason into a
    /// RequestFailed input itself.
    /// </summary>
    public string? Send(NodeEffect.SendRequest request) =>
        _peers.TryGetValue((request.ToNodeId, PeerChannels.For(request.Body)), out PeerConnection? peer)
            ? peer.Send(request)
            : $"node {request.ToNodeId} is not in controller.quorum.voters, so this node has no address for it";

    public async ValueTask DisposeAsync()
    {
        foreach (PeerConnection peer in _peers.Values) await peer.DisposeAsync();
    }
}
