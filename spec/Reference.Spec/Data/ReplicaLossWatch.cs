using Reference.Core;
using Reference.Core.Log;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Data;

/// <summary>
/// Whether the disks gave up a record: the one excuse the data checks accept for a record that was
/// acknowledged or read and is gone. A <see cref="LossWatch"/> on (log, offset) starts with the nodes whose
/// disk then holds that offset (its log ends past it) and drops a node when a crash, a recovery cut or a
/// restart with an empty disk leaves that node's log ending at or before the offset. When no holder is
/// left, every copy went with the disks and the loss is the guarantee in force, not a bug:
/// <list type="bullet">
/// <item>with Kafka's default (no fsync before the acknowledgement) a crash takes an unflushed tail, so a
/// crash of every replica that held a record can lose it;</item>
/// <item>with FlushBeforeAcknowledge an acknowledged record is durable on every replica that acknowledged it,
/// so a crash keeps it and only a data-losing fault (an empty disk, a rotted sector) can drop a holder.</item>
/// </list>
/// A watch given the partition's min.insync.replicas m (an acks=all write's) has one more excuse, KIP-966's
/// own bound. With eligible leader replicas and the leader's high watermark held while the ISR is below m,
/// every member of the ISR and the ELR holds the record; a member leaves both without a successor only
/// through an unclean shutdown (a crash), and once both are empty the controller elects the last known leader
/// uncleanly (Kafka's "balanced" recovery), which may have lost it. So a holder that survives still forbids
/// the loss, unless at least min(m, holders at the acknowledgement) replicas of the partition crashed since
/// and one of those crashes (or a recovery cut, or an empty disk) took the record from that replica's disk.
/// Without ELR (Kafka 3.9, the museum's last-replica-standing) one crash of the last ISR member suffices.
/// A truncation by the node itself (a follower cutting its log to the leader's) never drops a holder nor counts:
/// that is exactly what must not take acknowledged data. Memory: one entry per node, plus the watches the
/// monitor keeps.
/// </summary>
public sealed class ReplicaLossWatch
{
    private readonly Dictionary<int, ILogStorage> _disks = new();
    private readonly List<LossWatch> _open = [];

    /// <summary>
    /// Starts watching <paramref name="offset"/> of <paramref name="log"/> from the disks as they are now; with
    /// <paramref name="minInsyncReplicas"/>, KIP-966's bound on crashes applies too.
    /// </summary>
    public LossWatch Watch(DataObservation observation, TopicPartition log, long offset, int? minInsyncReplicas = null)
    {
        var holders = new SortedSet<int>(observation.Nodes.Where(n => n.Storage.Extent(log).EndOffset > offset).Select(n => n.NodeId));
        var watch = new LossWatch(log, offset, holders, minInsyncReplicas);
        if (holders.Count > 0) _open.Add(watch);
        return watch;
    }

    /// <summary>Drops holders whose disk lost the watched offset in the event just observed. Call once per event, first.</summary>
    public void Update(DataObservation observation)
    {
        foreach (DataNodeReading node in observation.Nodes)
        {
            bool diskReplaced = IsReplaced(node.NodeId, node.Storage);
            ILogStorage? formerDisk = _disks.GetValueOrDefault(node.NodeId);
            _disks[node.NodeId] = node.Storage;
            bool crashed = observation.LastEvent is SimulationEvent.NodeCrashed crash && crash.NodeId == node.NodeId;
            bool diskEvent = crashed || observation.LastEvent is SimulationEvent.LogRecovered recovered && recovered.NodeId == node.NodeId;
            if (!diskReplaced && !diskEvent) continue;
            foreach (LossWatch watch in _open)
            {
                bool lost = node.Storage.Extent(watch.Log).EndOffset <= watch.Offset;
                // A replica of the partition: its disk has (or, before a wipe, had) the log, or it held the record.
                bool replica = watch.Holders.Contains(node.NodeId) || node.Storage.Logs.Contains(watch.Log)
                    || diskReplaced && formerDisk is not null && formerDisk.Logs.Contains(watch.Log);
                if (replica) watch.OnReplicaDiskEvent(crashed, lost);
                if (watch.Holders.Contains(node.NodeId) && lost) watch.Holders.Remove(node.NodeId);
            }
            _open.RemoveAll(w => w.IsLost);
        }
    }

    /// <summary>Whether any record is watched: until one is, <see cref="Update"/> has nothing to drop.</summary>
    public bool IsWatching => _open.Count > 0;

    /// <summary>Whether the node's disk is another object than the one last observed (a restart on an empty disk).</summary>
    public bool IsReplaced(int nodeId, ILogStorage storage) => _disks.TryGetValue(nodeId, out ILogStorage? last) && !ReferenceEquals(last, storage);

    /// <summary>Stops updating a watch whose record was seen again (it needs no excuse any more).</summary>
    public void Forget(LossWatch watch) => _open.Remove(watch);
}

/// <summary>
/// One record's copies: the nodes whose disk still holds it, as far as crashes and recoveries tell, and, for
/// a watch under KIP-966's bound, how many replicas crashed since it began and whether a disk event took it.
/// </summary>
public sealed class LossWatch(TopicPartition log, long offset, SortedSet<int> holders, int? minInsyncReplicas = null)
{
    private readonly int _holdersAtStart = holders.Count;
    private int _replicaCrashes;
    private bool _takenByADisk;

    public TopicPartition Log { get; } = log;

    public long Offset { get; } = offset;

    internal SortedSet<int> Holders { get; } = holders;

    /// <summary>
    /// Every node that held the record has lost it to its disk (or none held it when the watch began); or,
    /// under KIP-966's bound, min(m, holders at the start) replicas crashed and a disk event took the record
    /// from one of them (see <see cref="ReplicaLossWatch"/>).
    /// </summary>
    public bool IsLost => Holders.Count == 0
        || minInsyncReplicas is int m && _takenByADisk && _replicaCrashes >= Math.Min(m, _holdersAtStart);

    /// <summary>A replica of the watched partition crashed (<paramref name="crashed"/>) or had a recovery cut or a wiped disk; <paramref name="lost"/> when its log no longer reaches the record.</summary>
    internal void OnReplicaDiskEvent(bool crashed, bool lost)
    {
        if (crashed) _replicaCrashes++;
        if (lost) _takenByADisk = true;
    }
}
