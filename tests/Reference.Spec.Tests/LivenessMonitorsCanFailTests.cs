using Reference.Core.Raft;
using Reference.Simulation.Monitors;
using Reference.Simulation.Storage;
using Reference.Spec.Liveness;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests;

/// <summary>
/// No liveness monitor that cannot run hot: each is shown a crafted cluster that owes what it watches (hot)
/// and the same cluster once it is paid (cold). Whether hot lasts too long is the explorer's fair suffix's
/// call (tests/Reference.Exploration.Tests).
/// </summary>
public sealed class LivenessMonitorsCanFailTests
{
    private static readonly SimulationEvent Nothing = new SimulationEvent.FaultInjected(0, "crafted");

    private static RaftNodeReading Voter(int id, ReplicaReading? replica) => new(id, IsVoter: true, 1, replica, null, new MemoryLogStorage());

    private static ReplicaReading Replica(int epoch, QuorumStateKind state, int? leader = null, long highWatermark = 0, long logEnd = 0) =>
        new(epoch, leader, state, highWatermark, logEnd);

    private static RaftObservation Observe(params RaftNodeReading[] nodes) => new(0, Nothing, nodes);

    [Fact]
    public void EventuallyLeaderElectedIsHotWithoutALeaderOfTheHighestEpoch()
    {
        // A leader of epoch 2 while a voter has moved on to epoch 3: the cluster still owes epoch 3 a leader.
        RaftObservation stale = Observe(Voter(1, Replica(2, QuorumStateKind.Leader, 1)), Voter(2, Replica(3, QuorumStateKind.Candidate)), Voter(3, null));
        RaftObservation led = Observe(Voter(1, Replica(3, QuorumStateKind.Follower, 2)), Voter(2, Replica(3, QuorumStateKind.Leader, 2)), Voter(3, null));
        Assert.Equal(Temperature.Hot, EventuallyLeaderElected.Observe(stale));
        Assert.Equal(Temperature.Hot, EventuallyLeaderElected.Observe(Observe(Voter(1, null), Voter(2, null))));
        Assert.Equal(Temperature.Cold, EventuallyLeaderElected.Observe(led));
    }

    [Fact]
    public void NotStuckInProspectiveIsHotWhileAVoterIsProspective()
    {
        RaftObservation asking = Observe(Voter(1, Replica(4, QuorumStateKind.Leader, 1)), Voter(2, Replica(4, QuorumStateKind.Prospective)));
        RaftObservation settled = Observe(Voter(1, Replica(4, QuorumStateKind.Leader, 1)), Voter(2, Replica(4, QuorumStateKind.Follower, 1)));
        Assert.Equal(Temperature.Hot, NotStuckInProspective.Observe(asking));
        Assert.Equal(Temperature.Cold, NotStuckInProspective.Observe(settled));
    }

    [Fact]
    public void ProposalEventuallyCommittedIsHotWhileALeaderHoldsUncommittedEntries()
    {
        RaftObservation owing = Observe(Voter(1, Replica(2, QuorumStateKind.Leader, 1, highWatermark: 5, logEnd: 7)), Voter(2, Replica(2, QuorumStateKind.Follower, 1, 5, 7)));
        RaftObservation paid = Observe(Voter(1, Replica(2, QuorumStateKind.Leader, 1, highWatermark: 7, logEnd: 7)), Voter(2, Replica(2, QuorumStateKind.Follower, 1, 7, 7)));
        Assert.Equal(Temperature.Hot, ProposalEventuallyCommitted.Observe(owing));
        Assert.Equal(Temperature.Cold, ProposalEventuallyCommitted.Observe(paid));
    }

    [Fact]
    public void EventuallyStableLeaderIsHotUntilOneLeaderHasHeldLongEnough()
    {
        var monitor = new EventuallyStableLeader();
        RaftObservation At(long nowMs, int epoch, int leader) =>
            new(nowMs, Nothing, [Voter(1, Replica(epoch, leader == 1 ? QuorumStateKind.Leader : QuorumStateKind.Follower, leader)),
                Voter(2, Replica(epoch, leader == 2 ? QuorumStateKind.Leader : QuorumStateKind.Follower, leader))]);
        Assert.Equal(Temperature.Hot, monitor.Observe(At(0, 1, 1)));
        Assert.Equal(Temperature.Hot, monitor.Observe(At(EventuallyStableLeader.StableForMs - 1, 1, 1)));
        // Leadership moves before it settled: hot again from the move.
        Assert.Equal(Temperature.Hot, monitor.Observe(At(EventuallyStableLeader.StableForMs + 1, 2, 2)));
        Assert.Equal(Temperature.Hot, monitor.Observe(At(2 * EventuallyStableLeader.StableForMs, 2, 2)));
        Assert.Equal(Temperature.Cold, monitor.Observe(At(2 * EventuallyStableLeader.StableForMs + 1, 2, 2)));
    }

    [Fact]
    public void FencedBrokerEventuallyUnfencedIsHotWhileABrokerThatReachesTheControllerIsFenced()
    {
        BrokerStanding Broker(int id, bool reaches, bool unfenced) => new(id, reaches, unfenced);
        Assert.Equal(Temperature.Hot, FencedBrokerEventuallyUnfenced.Observe([Broker(1, true, true), Broker(2, true, false)]));
        // Cut off from the active controller, a broker cannot heartbeat: Kafka keeps it fenced, and owes nothing.
        Assert.Equal(Temperature.Cold, FencedBrokerEventuallyUnfenced.Observe([Broker(1, true, true), Broker(2, false, false)]));
        Assert.Equal(Temperature.Cold, FencedBrokerEventuallyUnfenced.Observe([Broker(1, true, true), Broker(2, true, true)]));
        // No active controller: nobody to unfence anyone (EventuallyLeaderElected's debt).
        Assert.Equal(Temperature.Cold, FencedBrokerEventuallyUnfenced.Observe([]));
    }
}
