namespace Reference.Core.Node;

/// <summary>
/// One node's core as its shells see it: inputs in, effects out, nothing else. The simulator, the
/// explorer, trace replay and the broker all drive a node through this and only this.
/// </summary>
public interface INode
{
    /// <summary>Handles one input and returns the effects to carry out, in order, before the next input.</summary>
    IReadOnlyList<NodeEffect> Handle(NodeInput input);
}

/// <summary>
/// Builds a node over its storage: what the simulator calls on every (re)start and the broker once.
/// <paramref name="quorumState"/> is what the disk holds of the last persisted quorum state, if any.
/// </summary>
public delegate INode NodeFactory(NodeConfig config, Log.ILogStorage storage, Protocol.Messages.QuorumStateData? quorumState, IDeterministicRandom random);
