using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// What the Raft monitors read of the cluster after one event: per node, its replica of
/// <c>__cluster_metadata</c> (while it runs), its persisted quorum state and its disk. The monitors check
/// this rather than <see cref="ClusterView"/> itself so a test can hand them a crafted state and prove that
/// each one can fail (spec/README.md).
/// </summary>
/// <param name="LastEvent">The event that led here (the effects a step asked for, a crash, a fault).</param>
public sealed record RaftObservation(long NowMs, SimulationEvent LastEvent, IReadOnlyList<RaftNodeReading> Nodes)
{
    /// <summary>
    /// <see cref="Nodes"/> as a span, for the monitors' loops: every monitor walks the nodes after every event,
    /// and walking the list through its interface cost an enumerator and two interface calls per node. Read by
    /// <see cref="Of"/> the list is an array already; a test's list is copied.
    /// </summary>
    public ReadOnlySpan<RaftNodeReading> NodeSpan => Nodes is RaftNodeReading[] array ? array : Nodes.ToArray();

    /// <summary>The voters' count; a majority is more than half of it.</summary>
    public int VoterCount
    {
        get
        {
            int voters = 0;
            foreach (RaftNodeReading node in NodeSpan)
                if (node.IsVoter) voters++;
            return voters;
        }
    }

    public int MajoritySize => VoterCount / 2 + 1;

    /// <summary>
    /// Reads the view; a node that is not the core's real Node (a simulator toy) reads as not running. Every
    /// monitor reads the view after each event, and nothing changes between their checks (a shell records an
    /// event, carries it out, then checks), so one reading per event serves them all: it is kept in the view
    /// (<see cref="ClusterView.MonitorsReading"/>) until the view shows another event (each event is a new
    /// object). This was the explorer's largest per-step cost.
    /// <para>
    /// When exactly one event happened since the last observation and it was a step of one node, the other
    /// nodes' readings are carried over: see <see cref="LastRead.StillHolds"/> for why that is safe. A node read
    /// afresh whose reading equals its last one (most steps are ticks that change nothing a monitor reads) keeps
    /// the last object too: a reading is an immutable value, so an equal one is the same reading, and the
    /// monitors skip a node whose reading is the object they judged already (<see cref="JudgedReadings"/>).
    /// </para>
    /// </summary>
    public static RaftObservation Of(ClusterView view)
    {
        LastRead? last = view.MonitorsReading as LastRead;
        if (last is not null && ReferenceEquals(last.Observation.LastEvent, view.LastEvent) && last.Observation.NowMs == view.NowMs) return last.Observation;
        IReadOnlyList<NodeView> nodes = view.Nodes;
        // The one node the event stepped; any other event (a crash, a restart's recovery, a fault, a client's
        // record) or more than one event since the last observation reads every node again.
        int? stepped = last is not null && view.EventNumber == last.EventNumber + 1
            && view.LastEvent is SimulationEvent.InputDelivered step ? step.NodeId : null;
        var readings = new RaftNodeReading[nodes.Count];
        var cores = new INode?[nodes.Count];
        for (int i = 0; i < readings.Length; i++)
        {
            NodeView node = nodes[i];
            cores[i] = node.Node;
            RaftNodeReading? before = last is not null && i < last.Readings.Length ? last.Readings[i] : null;
            readings[i] = stepped is int steppedId && node.NodeId != steppedId && last!.StillHolds(i, node) ? before! : RaftNodeReading.Of(node, before);
        }
        var observation = new RaftObservation(view.NowMs, view.LastEvent, readings);
        view.MonitorsReading = new LastRead(view.EventNumber, observation, readings, cores);
        return observation;
    }

    /// <summary>
    /// An observation as it was read from a view: the event number, the readings (its <see cref="Nodes"/>, as the
    /// array they are: read through the list's interface they cost a stub call each) and each node's running core then.
    /// </summary>
    private sealed record LastRead(long EventNumber, RaftObservation Observation, RaftNodeReading[] Readings, INode?[] Cores)
    {
        /// <summary>
        /// Whether node <paramref name="index"/>'s reading, taken one event ago, is still what reading it now
        /// would give, the event being a step of another node. A reading holds the node's core state, which
        /// changes only when that core handles an input (the core is pure: inputs in, effects out), and every
        /// input a shell hands a core is recorded as that node's step before the monitors look again (a step a
        /// crash cuts short, or one whose disk failed a read, is followed by the crash, another event: the
        /// simulator's Deliver and HandleThrow, and replay, which follows the trace they wrote, keep to that).
        /// What a reading takes from outside the core is checked here by reference: the core itself (a restart
        /// makes a new one), the incarnation, the disk (a wipe makes a new one) and its quorum state (a write
        /// decodes a new one). The disk's logs are not part of a reading: monitors read them live through
        /// <see cref="RaftNodeReading.Storage"/>.
        /// </summary>
        public bool StillHolds(int index, NodeView node)
        {
            if (index >= Readings.Length) return false;
            RaftNodeReading read = Readings[index];
            return read.NodeId == node.NodeId && ReferenceEquals(Cores[index], node.Node) && read.Incarnation == node.Incarnation
                && ReferenceEquals(read.Storage, node.Storage) && ReferenceEquals(read.Persisted, node.PersistedQuorumState);
        }
    }
}

/// <param name="Incarnation">Counts (re)starts of the node's process: a run of it keeps its in-memory state.</param>
/// <param name="Replica">The running replica's state; null while the node is down.</param>
/// <param name="Persisted">The quorum state on the node's disk (survives crashes), null if none was written.</param>
/// <param name="Storage">
/// The node's disk. A restart with an empty disk gives the node a new storage object, so monitors tell a
/// wiped disk from a recovered one by reference.
/// </param>
/// <param name="Snapshots">The running node's snapshots and snapshot loads (KIP-630); null while it is down.</param>
public sealed record RaftNodeReading(int NodeId, bool IsVoter, int Incarnation, ReplicaReading? Replica,
    QuorumStateData? Persisted, ILogStorage Storage, SnapshotReading? Snapshots = null)
{
    public bool IsRunning => Replica is not null;

    /// <summary>The metadata log's extent on disk: its durable end is what survives a crash.</summary>
    public LogExtent MetadataLog => Storage.Extent(TopicPartition.ClusterMetadata);

    /// <summary>A voter running on a replaced disk (not the directory its voter entry names): it lost what the voter held.</summary>
    public bool IsVoterDiskReplaced { get; init; }

    /// <summary>
    /// Reads the node; <paramref name="last"/> itself when the read gives what it holds (the disk and the quorum
    /// state compared by reference: another object is another disk, or another write). Most steps are ticks
    /// that change nothing a monitor reads, and the monitors skip a node whose reading is the object they
    /// judged already (<see cref="JudgedReadings"/>); handing back an equal reading is sound because a reading
    /// is an immutable value. ReadingEqualityTests fails when a field is added to the reading and not here.
    /// </summary>
    public static RaftNodeReading Of(NodeView view, RaftNodeReading? last = null)
    {
        Core.Node.Node? running = view.Node as Core.Node.Node;
        ReplicaReading? replica = running is null ? null : ReplicaReading.Of(running.Raft);
        SnapshotReading? snapshots = running is null ? null : SnapshotReading.Of(running, last?.Snapshots);
        QuorumStateData? persisted = view.PersistedQuorumState;
        bool diskReplaced = view.IsVoterDiskReplaced;
        if (last is not null && last.NodeId == view.NodeId && last.IsVoter == view.IsVoter && last.Incarnation == view.Incarnation && last.Replica == replica
            && ReferenceEquals(last.Persisted, persisted) && ReferenceEquals(last.Storage, view.Storage) && ReferenceEquals(last.Snapshots, snapshots)
            && last.IsVoterDiskReplaced == diskReplaced) return last;
        return new(view.NodeId, view.IsVoter, view.Incarnation, replica, persisted, view.Storage, snapshots) { IsVoterDiskReplaced = diskReplaced };
    }
}

/// <summary>One replica's in-memory Raft state (KIP-595's quorum state plus the log's offsets).</summary>
/// <param name="LeaderAliveUntilMs">A follower that has fetched from its leader (which has not resigned): when its fetch timeout fires (KIP-996's evidence that the leader lives); null otherwise.</param>
public readonly record struct ReplicaReading(int Epoch, int? LeaderId, QuorumStateKind State, long HighWatermark, long LogEndOffset, long? LeaderEpochStartOffset = null,
    long? LeaderAliveUntilMs = null)
{
    public bool IsLeader => State == QuorumStateKind.Leader;

    public static ReplicaReading Of(RaftReplica replica) =>
        new(replica.Epoch, replica.LeaderId, replica.State, replica.HighWatermark, replica.LogEndOffset, replica.LeaderEpochStartOffset, replica.LeaderAliveUntilMs);
}
