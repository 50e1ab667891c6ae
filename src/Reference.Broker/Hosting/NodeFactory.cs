using Reference.Core.Node;

namespace Reference.Broker.Hosting;

/// <summary>The one place the broker names the core's Node class.</summary>
public static class CoreNodeFactory
{
    /// <summary>The real node, over the broker's disk storage.</summary>
    public static NodeFactory Default { get; } = (config, storage, quorumState, random) => new Node(config, storage, quorumState, random);
}
