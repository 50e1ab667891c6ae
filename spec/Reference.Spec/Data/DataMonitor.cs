using Reference.Core;
using Reference.Simulation.Monitors;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Spec.Data;

/// <summary>
/// A check over the data workload's history (Jepsen's Kafka checks in spirit): it reads each entry as the
/// event that recorded it, keeps what it must remember, and excuses a missing record only when
/// <see cref="ReplicaLossWatch"/> says every copy went with the disks. One instance watches one run.
/// </summary>
public abstract class DataMonitor : SafetyMonitor
{
    private readonly ReplicaLossWatch _losses = new();
    private int? _dataMinInsyncReplicas;

    /// <summary>
    /// Most events neither record history nor touch a disk's survival (a crash, a recovery, a wiped disk):
    /// those are skipped without building an observation, which keeps the checks cheap in long sweeps. While
    /// no record is watched (always, in a run without a data workload) only a history entry matters: a disk
    /// event then changes nothing but which disk <see cref="ReplicaLossWatch"/> last saw, and the entry's own
    /// check brings that up to date before it starts a watch.
    /// </summary>
    public sealed override MonitorViolation? Check(ClusterView view)
    {
        if (view.LastEvent is not SimulationEvent.HistoryRecorded && !_losses.IsWatching) return null;
        bool relevant = view.LastEvent is SimulationEvent.HistoryRecorded or SimulationEvent.NodeCrashed or SimulationEvent.LogRecovered
            || AnyDiskReplaced(view);
        return relevant ? Check(DataObservation.Of(view), view.Coverage) : null;
    }

    /// <summary>A loop, not LINQ: it runs for every monitor after every event, and a closure each time showed in the explorer's profile.</summary>
    private bool AnyDiskReplaced(ClusterView view)
    {
        for (int i = 0; i < view.Nodes.Count; i++)
            if (_losses.IsReplaced(view.Nodes[i].NodeId, view.Nodes[i].Storage)) return true;
        return false;
    }

    /// <summary>Checks one observation, the next in the run's order.</summary>
    public MonitorViolation? Check(DataObservation observation, Coverage coverage)
    {
        _losses.Update(observation);
        if (observation.Entry is not { } entry || DataOperation.Parse(entry) is not { } operation) return null;
        _dataMinInsyncReplicas = operation.MinInsyncReplicas ?? _dataMinInsyncReplicas;
        return Check(observation, entry, operation, coverage);
    }

    protected abstract MonitorViolation? Check(DataObservation observation, HistoryEntry entry, DataOperation operation, Coverage coverage);

    /// <summary>
    /// Watches a record's copies under the guarantee of its partition's min.insync.replicas: the data topic's as
    /// its sends name it, <c>__consumer_offsets</c>' as the nodes are configured (see <see cref="ReplicaLossWatch"/>).
    /// </summary>
    protected LossWatch Watch(DataObservation observation, TopicPartition log, long offset) =>
        _losses.Watch(observation, log, offset, log == observation.OffsetsLog ? observation.OffsetsMinInsyncReplicas
            : log.Topic == DataOperation.Topic ? _dataMinInsyncReplicas : null);

    protected void Forget(LossWatch watch) => _losses.Forget(watch);

    protected static TopicPartition DataLog(int partition) => new(DataOperation.Topic, partition);

    protected static MonitorViolation Violation(string message) => new(message);
}
