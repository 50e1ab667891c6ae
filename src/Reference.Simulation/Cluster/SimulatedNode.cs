using Reference.Core.Node;
using Reference.Simulation.Monitors;
using Reference.Simulation.Network;

namespace Reference.Simulation.Cluster;

/// <summary>A crash waiting for the node's next step, to land part-way through carrying out its effects.</summary>
internal sealed record PendingStepCrash(int? AfterEffects, long? RestartAfterMs, bool EmptyDiskOnRestart);

/// <summary>The simulator's side of one node: its view for monitors, its timers, its disk queue, its peer connections.</summary>
internal sealed class SimulatedNode(NodeView view, SplitMix64Random diskRandom)
{
    /// <summary>Distinct wake-up times pending at most: a node asking for more is asking without bound.</summary>
    public const int WakeTimesMax = 10_000;

    public NodeView View { get; } = view;

    public int Id => View.NodeId;

    public bool IsRunning => View.Node is not null;

    /// <summary>Wake-up times asked for and not yet delivered. Each is honoured; one delivery satisfies every time at or before it.</summary>
    public WakeTimes WakeTimes { get; } = new();

    /// <summary>fsyncs on one disk complete one after another: the next cannot complete before this.</summary>
    public long DiskBusyUntilMs { get; set; }

    /// <summary>The disk's own stream: flush latencies and torn-write draws.</summary>
    public SplitMix64Random DiskRandom { get; } = diskRandom;

    public PendingStepCrash? CrashDuringNextStep { get; set; }

    /// <summary>For the explorer: the choice collection (its count) that last offered this node's next fsync and next wake-up.</summary>
    public int FlushHeadOffered, WakeHeadOffered;

    /// <summary>True from a crash until the restart the crash scheduled (if any) has happened.</summary>
    public bool RestartScheduled { get; set; }

    /// <summary>This node's connections as a client of its peers, by server node id.</summary>
    public SortedDictionary<(int NodeId, PeerChannel Channel), Connection> PeerConnections { get; } = new();
}
