using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Traces;
using Reference.Spec.Raft;
using Reference.Spec.Tests.Scenarios;

namespace Reference.Spec.Tests;

/// <summary>
/// The all-faults sweep of <see cref="RealNodeSweepTests"/> again with small snapshot knobs, so snapshots are
/// written, the log start moves, and lagging or restarted replicas fetch snapshots under crashes, torn writes,
/// partitions and loss, with every monitor on. Not vacuous: both snapshot goals must be reached.
/// </summary>
public sealed class SnapshotSweepTests
{
    private const int SeedCount = 100;
    private static NodeImplementation RealNode => RealNodeSweepTests.RealNode;

    /// <summary>The default sweep's options (<see cref="RealNodeSweepTests.Options"/>) with the small snapshot knobs.</summary>
    private static SimulationOptions Options(ulong seed) =>
        RealNodeSweepTests.Options(seed) with { ConfigureNode = SnapshotScenarioTests.SmallSnapshotKnobs };

    [Fact]
    public void ThreeVotersWithSmallSnapshotKnobsKeepEveryInvariantAndInstallSnapshots()
    {
        var tally = new CoverageTally();
        for (ulong seed = 1; seed <= SeedCount; seed++)
        {
            SimulationResult result = new SimulatedCluster(Options(seed), RealNode, SpecMonitors.All(), SimulatedCluster.DefaultWorkload()).Run();
            Assert.True(result.Outcome.IsOk, $"seed {seed} (faults all, small snapshot knobs, 3 voters, {Options(seed).DurationMs} ms): {result.Outcome}");
            tally.Add(result.Coverage);
        }
        var goals = tally.Goals.ToDictionary(g => g.Goal, g => g.RunsReached);
        Assert.True(goals[RaftGoals.SnapshotWritten] >= SeedCount / 2, $"snapshots were written in only {goals[RaftGoals.SnapshotWritten]} of {SeedCount} runs");
        Assert.True(goals[RaftGoals.SnapshotInstalled] > 0, "no run installed a snapshot fetched from a leader");
    }

    [Fact]
    public void SameSeedTwiceWritesTheSameTraceWithSnapshotsOn()
    {
        var first = new TraceDigest();
        var second = new TraceDigest();
        SimulationResult one = new SimulatedCluster(Options(5), RealNode, SpecMonitors.All(), SimulatedCluster.DefaultWorkload(), new TraceWriter(first)).Run();
        new SimulatedCluster(Options(5), RealNode, SpecMonitors.All(), SimulatedCluster.DefaultWorkload(), new TraceWriter(second)).Run();
        Assert.True(one.Coverage.Count(RaftGoals.SnapshotWritten) > 0, "seed 5 wrote no snapshot");
        Assert.Equal(first.Digest, second.Digest);
    }
}
