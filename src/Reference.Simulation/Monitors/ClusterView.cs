using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Monitors;

/// <summary>
/// The cluster as a monitor sees it after an event: every node (running or not) in id order, the clock,
/// the event just processed, the clients' history and the run's coverage counters. Monitors must only
/// read: the node objects and their storage are the live ones, not copies.
/// </summary>
public sealed class ClusterView
{
    internal ClusterView(IReadOnlyList<NodeView> nodes, History history, Coverage coverage)
    {
        Nodes = nodes;
        History = history;
        Coverage = coverage;
        _lastEvent = new SimulationEvent.FaultInjected(0, "nothing yet");
    }

    public long NowMs { get; internal set; }

    /// <summary>Every node in id order, voters first.</summary>
    public IReadOnlyList<NodeView> Nodes { get; }

    /// <summary>The event just processed; setting it counts one more event (<see cref="EventNumber"/>).</summary>
    public SimulationEvent LastEvent
    {
        get => _lastEvent;
        internal set
        {
            _lastEvent = value;
            EventNumber++;
        }
    }

    private SimulationEvent _lastEvent;

    /// <summary>
    /// How many events the view has shown (0 before the first): a monitor that keeps what it read at one
    /// event can tell whether exactly one event happened since, and so what it must read again.
    /// </summary>
    public long EventNumber { get; private set; }

    public History History { get; }

    /// <summary>
    /// What the monitors derived from the view at an event, kept for their next check (spec/'s RaftObservation
    /// keeps its reading of the nodes here: ten monitors read the same after every event, and the next event
    /// changes one node's). The shells never read or write it.
    /// </summary>
    public object? MonitorsReading { get; set; }

    public Coverage Coverage { get; }

    /// <summary>
    /// Whether messages from one node may reach another (no cut link, no partition between them): what a
    /// liveness monitor asks before it expects two nodes to have talked. Replay knows no network and says yes.
    /// </summary>
    public Func<int, int, bool> LinkUp { get; internal set; } = static (_, _) => true;

    public NodeView Node(int nodeId) => Nodes.FirstOrDefault(n => n.NodeId == nodeId)
        ?? throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, "no such node");
}

/// <summary>One node: its configuration, whether it runs, its core (while it runs) and its disk.</summary>
public sealed class NodeView
{
    internal NodeView(NodeConfig config, bool isVoter)
    {
        Config = config;
        IsVoter = isVoter;
        _namedDirectoryId = isVoter ? config.Voters.First(v => v.NodeId == config.NodeId).DirectoryId : null;
    }

    /// <summary>The directory id this voter's entry names (read once: the configuration never changes), null for an observer.</summary>
    private readonly Protocol.Primitives.Uuid? _namedDirectoryId;

    public int NodeId => Config.NodeId;

    public NodeConfig Config { get; }

    /// <summary>A KRaft voter; otherwise an observer (a broker that follows the metadata log).</summary>
    public bool IsVoter { get; }

    /// <summary>
    /// A voter whose disk is no longer the one its voter entry names (KIP-853's directory id): it was replaced
    /// by an empty one. What that voter acknowledged and voted is gone; the node must now act as an observer.
    /// </summary>
    public bool IsVoterDiskReplaced =>
        IsVoter && _namedDirectoryId is { } named && named != Disk.DirectoryId;

    public bool IsRunning => Node is not null;

    /// <summary>Counts (re)starts: 1 for the first run, and one more after each crash.</summary>
    public int Incarnation { get; internal set; }

    /// <summary>The running core; null while the node is down. spec/'s monitors cast it to the real Node.</summary>
    public INode? Node { get; internal set; }

    /// <summary>
    /// The node's disk. While the node is down it is as the crash left it (torn bytes included); recovery
    /// runs at restart.
    /// </summary>
    public ILogStorage Storage => Disk;

    /// <summary>
    /// The quorum state the disk holds, or null if none was persisted. Read only: one decoded copy is shared by
    /// every read until the node persists again (monitors read it after every event).
    /// </summary>
    public QuorumStateData? PersistedQuorumState => Disk.SharedQuorumState;

    internal Storage.MemoryLogStorage Disk { get; set; } = new();
}
