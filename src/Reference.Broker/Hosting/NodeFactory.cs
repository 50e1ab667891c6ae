using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Broker.Hosting;

/// <summary>One step of the node: the core's <c>Node.Handle</c>.</summary>
public delegate IReadOnlyList<NodeEffect> NodeHandler(NodeInput input);

/// <summary>Builds the node the shell drives, with the core's constructor's shape.</summary>
public delegate NodeHandler NodeFactory(NodeConfig config, ILogStorage storage, QuorumStateData? quorumState, IDeterministicRandom random);

/// <summary>The one place the broker names the core's Node class.</summary>
public static class CoreNodeFactory
{
    /// <summary>
    /// The real node. Null until <c>Reference.Core.Node.Node</c> lands; it then becomes
    /// <c>(config, storage, quorumState, random) =&gt; new Node(config, storage, quorumState, random).Handle</c>.
    /// </summary>
    public static NodeFactory? Default => null;
}
