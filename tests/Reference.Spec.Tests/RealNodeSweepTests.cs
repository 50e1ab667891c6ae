using System.Diagnostics;
using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Traces;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests;

/// <summary>
/// The core's real Node under every fault the simulator has, with spec/'s monitors after every event. A
/// failure names the seed and the monitor; `kraft sim --seed N --faults all --duration 10s --trace traces/...`
/// writes its trace.
/// </summary>
public sealed class RealNodeSweepTests
{
    /// <summary>The default sweep: seeds 1..SeedCount, 3 voters, every fault, 10 s each. The mutation check sweeps the same.</summary>
    internal const int SeedCount = 300;
    private const long DurationMs = 10_000;

    internal static NodeImplementation RealNode => SimulatedCluster.DefaultNode
        ?? throw new InvalidOperationException("SimulatedCluster.DefaultNode is not the real Node");

    internal static SimulationOptions Options(ulong seed) => new()
    {
        Seed = seed,
        Voters = 3,
        DurationMs = DurationMs,
        Faults = FaultSpec.Of(FaultProfile.All),
    };

    internal static SimulationResult Run(ulong seed, TraceWriter? trace = null) => Run(Options(seed), trace);

    internal static SimulationResult Run(SimulationOptions options, TraceWriter? trace = null) =>
        new SimulatedCluster(options, RealNode, SpecMonitors.All(), SimulatedCluster.DefaultWorkload(), trace).Run();

    [Fact]
    public void ThreeVotersUnderAllFaultsKeepEveryRaftInvariantAndChangeLeaders()
    {
        var tally = new CoverageTally();
        var wall = Stopwatch.StartNew();
        for (ulong seed = 1; seed <= SeedCount; seed++)
        {
            SimulationResult result = Run(seed);
            Assert.True(result.Outcome.IsOk, $"seed {seed} (faults all, 3 voters, {DurationMs} ms): {result.Outcome}");
            Assert.Equal(SpecMonitors.All().Count, result.Monitors);
            tally.Add(result.Coverage);
        }
        var goals = tally.Goals.ToDictionary(g => g.Goal, g => g.RunsReached);
        // Not vacuous: leaders were elected in nearly every run (a seed may partition every voter from the
        // others for the whole run, as seed 223 does), and the fault-driven Raft paths ran somewhere.
        Assert.True(goals[RaftGoals.LeaderChange] >= SeedCount * 9 / 10, $"a leader was elected in only {goals[RaftGoals.LeaderChange]} of {SeedCount} runs");
        Assert.True(goals[RaftGoals.RivalCandidates] > 0, "no run had two candidates in one epoch");
        Assert.True(goals[RaftGoals.PreVoteRejected] > 0, "no run refused a pre-vote");
        Assert.True(goals[RaftGoals.LogTruncated] > 0, "no run truncated a metadata log");
        Assert.True(wall.Elapsed < TimeSpan.FromMinutes(1), $"the sweep took {wall.Elapsed}; the default suite's budget is a minute");
    }

    [Fact]
    public void SameSeedTwiceWritesTheSameTraceWithTheMonitorsOn()
    {
        var first = new TraceDigest();
        var second = new TraceDigest();
        SimulationResult one = Run(7, new TraceWriter(first));
        SimulationResult two = Run(7, new TraceWriter(second));
        Assert.True(one.MonitorChecks > 0);
        Assert.Equal(one.MonitorChecks, two.MonitorChecks);
        Assert.Equal(first.Digest, second.Digest);
    }

    [Fact]
    public void WipingAVotersDiskBeyondRaftsAssumptionIsCaughtOnTheRealNode()
    {
        // Raft assumes a voter keeps what it flushed; with voter-data-loss on, empty-disk restarts of voters
        // lose committed data, and the monitors must see it in the real node's run.
        Assert.True(FaultSpec.TryParse("all,voter-data-loss=on,crash-interval-ms=1s,restart-empty=0.5", out FaultSpec faults, out string? error), error);
        SimulationResult result = new SimulatedCluster(Options(4) with { DurationMs = 30_000, Faults = faults }, RealNode, SpecMonitors.All(),
            SimulatedCluster.DefaultWorkload()).Run();
        Assert.Equal("MajorityReachedHighWatermark", result.Outcome.ViolationName);
    }
}
