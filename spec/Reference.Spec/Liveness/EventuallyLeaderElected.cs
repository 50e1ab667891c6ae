using Reference.Core.Raft;
using Reference.Simulation.Monitors;
using Reference.Spec.Raft;

namespace Reference.Spec.Liveness;

/// <summary>
/// Hot while no running voter leads the highest epoch any running voter is in: a cluster whose majority is
/// up and connected elects a leader (Raft §5.2; KIP-595's election timeout with jitter exists for this).
/// Judged on fair schedules only (<see cref="ILivenessMonitor"/>).
/// </summary>
public sealed class EventuallyLeaderElected : ILivenessMonitor
{
    public string Name => "EventuallyLeaderElected";

    public Temperature Observe(ClusterView view) => Observe(RaftObservation.Of(view));

    public static Temperature Observe(RaftObservation observation)
    {
        int highestEpoch = -1;
        bool led = false;
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (!node.IsVoter || node.Replica is not ReplicaReading replica) continue;
            if (replica.Epoch > highestEpoch)
            {
                highestEpoch = replica.Epoch;
                led = false;
            }
            if (replica.Epoch == highestEpoch && replica.State == QuorumStateKind.Leader) led = true;
        }
        return led ? Temperature.Cold : Temperature.Hot;
    }
}
