using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Broker.Network;

/// <summary>
/// Where the network hands what arrives; the event loop implements it and stamps each input with its own
/// clock when it delivers it, so time never runs backwards for the node. Each call waits while the loop's
/// queue is full, which stops the socket being read: backpressure instead of an unbounded queue.
/// </summary>
internal interface INodeInbox
{
    ValueTask RequestArrivedAsync(ClientConnection connection, RequestContext context, IRequestBody body, CancellationToken cancellationToken);

    ValueTask ConnectionClosedAsync(ConnectionId connection);

    ValueTask PeerRespondedAsync(int fromNodeId, int correlationId, IResponseBody body);

    ValueTask PeerRequestFailedAsync(int toNodeId, int correlationId, string reason);
}
