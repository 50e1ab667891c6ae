using Reference.Core.Metadata;
using Reference.Core.Raft;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Liveness;

/// <summary>
/// One running broker as the active controller's committed metadata image sees it: whether the broker and the
/// active controller can reach each other, and whether the image holds it registered and unfenced.
/// </summary>
public readonly record struct BrokerStanding(int NodeId, bool ReachesActiveController, bool RegisteredUnfenced);

/// <summary>
/// Hot while a running broker that can reach the active controller is fenced (or not registered) in the
/// active controller's committed image: a broker that can send its heartbeats registers and, once it has
/// caught up with the metadata log, is unfenced (KIP-631's broker lifecycle: the controller unfences a broker
/// whose heartbeat shows it caught up to the registration's offset). Cold while no controller leads (that is
/// <see cref="EventuallyLeaderElected"/>'s debt). Reaching the active controller is the condition rather than
/// reaching a majority of the controllers: a broker heartbeats to the active controller only, so one cut off
/// from it alone stays fenced in Kafka too, rightly. Judged on fair schedules only; the data plane needs
/// its brokers unfenced to lead and follow partitions.
/// </summary>
public sealed class FencedBrokerEventuallyUnfenced : ILivenessMonitor
{
    public string Name => "FencedBrokerEventuallyUnfenced";

    public Temperature Observe(ClusterView view) => Observe(Read(view));

    public static Temperature Observe(IReadOnlyList<BrokerStanding> brokers)
    {
        foreach (BrokerStanding broker in brokers)
            if (broker.ReachesActiveController && !broker.RegisteredUnfenced) return Temperature.Hot;
        return Temperature.Cold;
    }

    /// <summary>Each running broker's standing in the image of the voter leading the highest epoch; none while no voter leads it.</summary>
    public static IReadOnlyList<BrokerStanding> Read(ClusterView view)
    {
        Core.Node.Node? active = null;
        int activeId = -1, highestEpoch = -1;
        foreach (NodeView node in view.Nodes)
        {
            if (!node.IsVoter || node.Node is not Core.Node.Node running) continue;
            if (running.Raft.Epoch > highestEpoch)
            {
                highestEpoch = running.Raft.Epoch;
                active = null;
            }
            if (running.Raft.Epoch == highestEpoch && running.Raft.State == QuorumStateKind.Leader) (active, activeId) = (running, node.NodeId);
        }
        if (active is null) return [];
        MetadataImage image = active.Metadata;
        var standings = new List<BrokerStanding>();
        foreach (NodeView node in view.Nodes)
        {
            if (!node.IsRunning || !node.Config.IsBroker) continue;
            bool reaches = view.LinkUp(node.NodeId, activeId) && view.LinkUp(activeId, node.NodeId);
            standings.Add(new BrokerStanding(node.NodeId, reaches, image.Broker(node.NodeId) is { Fenced: false }));
        }
        return standings;
    }
}
