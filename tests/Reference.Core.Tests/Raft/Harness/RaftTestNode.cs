using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Raft.Harness;

/// <summary>
/// One node of a test cluster: its Raft replica, its in-memory disk, and its seeded randomness. A step runs
/// one call on the replica and carries out its storage effects in order, as a shell would; a crash keeps
/// only what was flushed, and a restart builds a new replica from the disk and the persisted quorum state.
/// </summary>
internal sealed class RaftTestNode(NodeConfig config, ulong seed)
{
    private readonly RecordingPeerSender _sender = new();
    private readonly SplitMix64Random _random = new(seed);

    public int Id => Config.NodeId;

    public NodeConfig Config { get; } = config;

    public MemoryLogStorage Storage { get; } = new();

    public RaftReplica Replica { get; private set; } = null!;

    public bool IsUp { get; private set; }

    /// <summary>Counts starts, so that events meant for an earlier life of the node can be told apart.</summary>
    public int Incarnation { get; private set; }

    /// <summary>Every effect of every step, in order, across restarts.</summary>
    public List<NodeEffect> History { get; } = [];

    public IReadOnlyList<NodeEffect> Start(long nowMs, Action<NodeEffect> onEffect)
    {
        if (IsUp) throw new InvalidOperationException($"node {Id} is already up");
        Replica = new RaftReplica(Config, Storage, _sender, _random, Storage.QuorumState);
        IsUp = true;
        Incarnation++;
        return Step(nowMs, effects => Replica.Start(nowMs, effects), onEffect);
    }

    /// <summary>A power cut: the replica's memory is gone and the disk keeps what was flushed.</summary>
    public void Crash()
    {
        IsUp = false;
        Storage.Crash();
    }

    /// <summary>Runs one step and carries out its effects in order; <paramref name="onEffect"/> sees each after storage has.</summary>
    public IReadOnlyList<NodeEffect> Step(long nowMs, Action<Effects> step, Action<NodeEffect> onEffect)
    {
        if (!IsUp) throw new InvalidOperationException($"node {Id} is down");
        var effects = new Effects();
        step(effects);
        IReadOnlyList<NodeEffect> drained = effects.Drain();
        Storage.NowMs = nowMs;
        foreach (NodeEffect effect in drained)
        {
            if (!Storage.Apply(effect)) throw new InvalidOperationException($"node {Id}'s storage refused {effect}");
            History.Add(effect);
            onEffect(effect);
        }
        return drained;
    }

    public override string ToString() => IsUp
        ? $"node {Id}: {Replica.State} epoch {Replica.Epoch} leader {Replica.LeaderId?.ToString() ?? "-"} end {Replica.LogEndOffset} hw {Replica.HighWatermark}"
        : $"node {Id}: down";
}
