using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Producers;

/// <summary>The node's side of IPeerSender and IControllerLocator, as a test drives them: sends become effects.</summary>
internal sealed class FakePeers : IPeerSender, IControllerLocator
{
    private int _nextCorrelationId = 1000;

    public int? ActiveControllerId { get; set; } = 3000;

    public int Send(int toNodeId, short apiVersion, IRequestBody body, Effects effects)
    {
        int correlationId = _nextCorrelationId++;
        effects.Add(new NodeEffect.SendRequest(toNodeId, correlationId, apiVersion, body));
        return correlationId;
    }
}
