using Reference.Core.Raft;
using Reference.Simulation.Monitors;
using Reference.Spec.Raft;

namespace Reference.Spec.Liveness;

/// <summary>
/// Hot while some running voter is prospective (KIP-996's pre-vote state). A prospective voter either wins
/// its pre-votes and stands, or learns of a leader; one that stays prospective while the cluster is whole is
/// the pre-vote livelock KIP-996's rules (and KAFKA-17641's fix) are about. Judged on fair schedules only.
/// </summary>
public sealed class NotStuckInProspective : ILivenessMonitor
{
    public string Name => "NotStuckInProspective";

    public Temperature Observe(ClusterView view) => Observe(RaftObservation.Of(view));

    public static Temperature Observe(RaftObservation observation)
    {
        foreach (RaftNodeReading node in observation.NodeSpan)
            if (node.IsVoter && node.Replica is { State: QuorumStateKind.Prospective }) return Temperature.Hot;
        return Temperature.Cold;
    }
}
