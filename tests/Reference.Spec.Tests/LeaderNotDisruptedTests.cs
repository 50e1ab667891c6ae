using Reference.Core.Raft;
using Reference.Simulation.Monitors;
using Reference.Simulation.Storage;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests;

/// <summary>
/// <see cref="LeaderNotDisrupted"/> on crafted runs of three voters: node 1 leads epoch 3, node 2 follows it,
/// node 3 asks for pre-votes. It fails when node 3 stands in epoch 4 while node 2 vouched for the leader
/// from before node 3 asked, and stays quiet whenever the win could be legitimate.
/// </summary>
public sealed class LeaderNotDisruptedTests
{
    private static readonly SimulationEvent Nothing = new SimulationEvent.FaultInjected(0, "crafted");

    private static RaftNodeReading Voter(int id, ReplicaReading? replica, int incarnation = 1) => new(id, IsVoter: true, incarnation, replica, null, new MemoryLogStorage());

    private static ReplicaReading Leading(int epoch = 3) => new(epoch, 1, QuorumStateKind.Leader, 0, 0);

    /// <summary>Node 2 following node 1; <paramref name="aliveUntilMs"/> null when it has not fetched from it (or the leader resigned).</summary>
    private static ReplicaReading Following(long? aliveUntilMs, int epoch = 3) => new(epoch, 1, QuorumStateKind.Follower, 0, 0, LeaderAliveUntilMs: aliveUntilMs);

    private static ReplicaReading Asking(int epoch = 3) => new(epoch, 1, QuorumStateKind.Prospective, 0, 0);

    private static ReplicaReading Standing(QuorumStateKind state = QuorumStateKind.Candidate) => new(4, null, state, 0, 0);

    private static RaftObservation At(long nowMs, ReplicaReading? one, ReplicaReading? two, ReplicaReading? three, int threeIncarnation = 1) =>
        new(nowMs, Nothing, [Voter(1, one), Voter(2, two), Voter(3, three, threeIncarnation)]);

    private static MonitorViolation? Run(params RaftObservation[] run)
    {
        var monitor = new LeaderNotDisrupted();
        var coverage = new Coverage();
        foreach (RaftObservation observation in run)
            if (monitor.Check(observation, coverage) is { } violation) return violation;
        return null;
    }

    [Theory]
    [InlineData(QuorumStateKind.Candidate)]
    [InlineData(QuorumStateKind.Leader)]
    public void ItFailsWhenAVoterStandsWhileAMajorityKnewTheLeaderAlive(QuorumStateKind state)
    {
        MonitorViolation? violation = Run(
            At(1_000, Leading(), Following(3_000), Following(3_000)),
            At(2_000, Leading(), Following(3_000), Asking()),
            At(2_010, Leading(), Following(3_000), Standing(state)));
        Assert.Contains("node 3 went from Prospective in epoch 3", violation?.Message);
        Assert.Contains("node 1 led epoch 3 and voters 2", violation?.Message);
    }

    [Fact]
    public void AWinIsNotADisruptionWhenTheVoucherOnlyLearnedOfTheLeaderAfterThePreVoteWasAsked()
    {
        // Node 2 may have granted node 3's pre-vote before it knew the leader (the grant was still in flight).
        Assert.Null(Run(
            At(1_000, Leading(), new ReplicaReading(3, null, QuorumStateKind.Unattached, 0, 0), Asking()),
            At(1_005, Leading(), Following(3_005), Asking()),
            At(1_010, Leading(), Following(3_005), Standing())));
    }

    [Fact]
    public void AWinIsNotADisruptionOnceTheFollowersFetchTimeoutHasPassed()
    {
        // Node 2 last fetched long ago (its timer is merely not taken yet): it too would ask for pre-votes now.
        Assert.Null(Run(
            At(1_000, Leading(), Following(3_000), Following(3_000)),
            At(2_000, Leading(), Following(3_000), Asking()),
            At(3_000, Leading(), Following(3_000), Asking()),
            At(3_010, Leading(), Following(3_000), Standing())));
    }

    /// <summary>
    /// As RaftObservation.Of hands them: the leader's and the follower's readings are the same objects at every
    /// observation, so the monitor skips them as judged, and must still see the clock end the follower's vouching.
    /// </summary>
    [Fact]
    public void AnUnchangedReadingStopsVouchingWhenTheClockPassesItsFetchTimeout()
    {
        RaftNodeReading leader = Voter(1, Leading()), follower = Voter(2, Following(3_000));
        RaftObservation At(long nowMs, ReplicaReading three) => new(nowMs, Nothing, [leader, follower, Voter(3, three)]);
        Assert.Null(Run(At(1_000, Following(3_000)), At(2_000, Asking()), At(3_000, Asking()), At(3_010, Standing())));
        Assert.Contains("node 3 went from Prospective in epoch 3", Run(At(1_000, Following(3_000)), At(2_000, Asking()), At(2_500, Asking()), At(2_510, Standing()))?.Message);
    }

    [Fact]
    public void AWinIsNotADisruptionWithoutAFollowerThatFetchedOrWithoutALeader()
    {
        Assert.Null(Run(
            At(1_000, Leading(), Following(null), Following(3_000)),
            At(2_000, Leading(), Following(null), Asking()),
            At(2_010, Leading(), Following(null), Standing())));
        Assert.Null(Run(
            At(1_000, null, Following(3_000), Following(3_000)),
            At(2_000, null, Following(3_000), Asking()),
            At(2_010, null, Following(3_000), Standing())));
    }

    [Fact]
    public void ARestartedVoterResumingACandidacyIsNotJudgedAsThePreVoteRound()
    {
        Assert.Null(Run(
            At(1_000, Leading(), Following(3_000), Following(3_000)),
            At(2_000, Leading(), Following(3_000), Asking()),
            At(2_005, Leading(), Following(3_000), null),
            At(2_010, Leading(), Following(3_000), Standing(), threeIncarnation: 2)));
    }
}
