using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// How a room sends a request to another node (or to this node's own controller). The node assigns the
/// correlation id, remembers which room sent it, and hands the answer back to that room's
/// <c>HandleResponse</c> (or <c>HandleRequestFailed</c>). A request to this node itself is delivered in
/// process within the same step's processing, never through the shell.
/// </summary>
public interface IPeerSender
{
    /// <returns>The correlation id the answer will carry.</returns>
    int Send(int toNodeId, short apiVersion, IRequestBody body, Effects effects);
}

/// <summary>What the node knows about who leads the metadata quorum (the active controller).</summary>
public interface IControllerLocator
{
    /// <summary>The active controller's node id, or null while there is none known.</summary>
    int? ActiveControllerId { get; }
}
