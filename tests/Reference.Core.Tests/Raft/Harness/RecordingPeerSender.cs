using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Raft.Harness;

/// <summary>
/// The node's side of <see cref="IPeerSender"/> in a test: gives each request the next correlation id and
/// turns it into the <see cref="NodeEffect.SendRequest"/> effect the node's shell would carry out.
/// </summary>
internal sealed class RecordingPeerSender : IPeerSender
{
    private int _nextCorrelationId = 1;

    public int Send(int toNodeId, short apiVersion, IRequestBody body, Effects effects)
    {
        int correlationId = _nextCorrelationId++;
        effects.Add(new NodeEffect.SendRequest(toNodeId, correlationId, apiVersion, body));
        return correlationId;
    }
}
