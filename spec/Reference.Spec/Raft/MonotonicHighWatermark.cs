using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// Kafka's <c>MonotonicHighWatermark</c> (RaftEventSimulationTest): a replica's high watermark never goes back,
/// so nothing a replica once reported as committed is uncommitted later. Raft's commitIndex is likewise
/// monotonic (Figure 2: "index of highest log entry known to be committed ... increases monotonically").
/// <para>
/// Per incarnation, not across restarts: KRaft does not persist the metadata log's high watermark. A
/// restarted <c>KafkaRaftClient</c> starts with it unknown and learns it from the leader (our replica starts
/// at 0, RaftReplica.HighWatermark). That loses no committed data, which stays on a majority's disks
/// (<see cref="MajorityReachedHighWatermark"/>), and the restarted node's view of the committed prefix is
/// checked again as its high watermark climbs back (<see cref="ConsistentCommittedData"/>). Also checked: the
/// high watermark is never past the replica's own log end; a replica cannot call committed what it does not
/// hold. Memory: one entry per node.
/// </para>
/// </summary>
public sealed class MonotonicHighWatermark : RaftMonitor
{
    private readonly NodeTable<(int Incarnation, long HighWatermark)> _last = new();
    private readonly JudgedReadings _judged = new();

    public override string Name => "MonotonicHighWatermark";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (node.Replica is not ReplicaReading replica || _judged.AlreadyJudged(node)) continue;
            if (replica.HighWatermark > replica.LogEndOffset)
                return Violation($"node {node.NodeId}'s high watermark {replica.HighWatermark} is past its log end {replica.LogEndOffset}");
            if (_last.TryGetValue(node.NodeId, out var last) && last.Incarnation == node.Incarnation && replica.HighWatermark < last.HighWatermark)
                return Violation($"node {node.NodeId}'s high watermark went back from {last.HighWatermark} to {replica.HighWatermark} (incarnation {node.Incarnation})");
            _last.Set(node.NodeId, (node.Incarnation, replica.HighWatermark));
            _judged.Judged(node);
        }
        return null;
    }
}
