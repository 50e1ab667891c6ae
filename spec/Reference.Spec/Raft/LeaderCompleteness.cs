using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// Raft's Leader Completeness (Figure 3, §5.4: "if a log entry is committed in a given term, then that entry
/// will be present in the logs of the leaders for all higher-numbered terms"), which KRaft gets from the
/// vote rule of KIP-595 (a voter grants only to a candidate whose log's last epoch and end offset are at
/// least its own). Checkable form: when a replica is first seen leading an epoch, its log as it stood when
/// it won (its epoch start offset, before the LeaderChange record it appends at once) reaches the highest
/// high watermark any replica has ever reported. The log end would do less: the new epoch's own records
/// pad a stale log up to the committed offset, so a leader missing a committed entry would pass. That the batches it holds there are the committed
/// ones is <see cref="ConsistentCommittedData"/>'s check, once they fall below its own high watermark.
/// Memory: one entry per epoch that had a leader.
/// </summary>
public sealed class LeaderCompleteness : RaftMonitor
{
    private readonly SortedSet<int> _epochsChecked = new();
    private long _committedFrontier;
    /// <summary>A reading judged once has had its epoch checked and its high watermark counted: judging it again finds nothing new.</summary>
    private readonly JudgedReadings _judged = new();

    public override string Name => "LeaderCompleteness";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (_judged.AlreadyJudged(node) || node.Replica is not ReplicaReading { IsLeader: true } leader || !_epochsChecked.Add(leader.Epoch)) continue;
            long wonWith = leader.LeaderEpochStartOffset ?? leader.LogEndOffset;
            if (wonWith < _committedFrontier)
                return Violation($"node {node.NodeId} leads epoch {leader.Epoch} with its log ending at {wonWith} when it won, " +
                    $"short of the committed offset {_committedFrontier - 1}");
        }
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (_judged.AlreadyJudged(node)) continue;
            if (node.Replica is ReplicaReading replica) _committedFrontier = Math.Max(_committedFrontier, replica.HighWatermark);
            _judged.Judged(node);
        }
        return null;
    }
}
