using FsCheck;
using FsCheck.Fluent;
using Reference.Simulation.Faults;
using Reference.Simulation.Tests.Toys;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Tests.Traces;

/// <summary>Same seed, same build: the same trace, byte for byte (ARCHITECTURE.md's first invariant).</summary>
public sealed class DeterminismTests
{
    private static SimRun Busy(ulong seed, long durationMs = 20_000) => SimRun.Of(
        new SimulationOptions { Seed = seed, DurationMs = durationMs, Observers = 1, Faults = FaultSpec.Of(FaultProfile.All).With(FaultKnob.CrashIntervalMs, 3_000) },
        ToyControllerNode.Implementation, workload: new MetadataProposalWorkload());

    private static SimRun Durable(ulong seed) => SimRun.Of(
        new SimulationOptions { Seed = seed, DurationMs = 20_000, Faults = FaultSpec.Of(FaultProfile.All).With(FaultKnob.CrashIntervalMs, 2_000).With(FaultKnob.TornWrite, 500_000) },
        CounterNode.Correct);

    [Fact]
    public void TheSameSeedWritesTheSameTraceBytes()
    {
        for (ulong seed = 1; seed <= 3; seed++)
        {
            SimRun first = Busy(seed);
            SimRun second = Busy(seed);
            Assert.True(first.Trace.Length > 10_000, first.Describe);
            Assert.Equal(first.Trace, second.Trace);
            Assert.Equal(Durable(seed).Trace, Durable(seed).Trace);
        }
    }

    [Fact]
    public void DifferentSeedsWriteDifferentTraces()
    {
        var traces = Enumerable.Range(1, 5).Select(seed => Busy((ulong)seed, 5_000).Trace).ToList();
        Assert.Equal(traces.Count, traces.Distinct().Count());
    }

    [Fact]
    public void AnySeedReplaysItsOwnRunExactly()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), seed => Busy(seed, 3_000).Trace == Busy(seed, 3_000).Trace)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(15));
    }

    [Fact]
    public void RunsExerciseTheFaultsTheirSeedsDrew()
    {
        var coverage = new Monitors.CoverageTally();
        for (ulong seed = 1; seed <= 8; seed++) coverage.Add(Busy(seed).Result.Coverage);
        // The toy controller writes no log, so no write can tear and no sector rot: the report says so rather than hiding it.
        Assert.Subset(new HashSet<string>
            {
                Monitors.CoverageGoals.SectorCorrupted, Monitors.CoverageGoals.TornWrite, Monitors.CoverageGoals.RestartEmptyDisk,
                Monitors.CoverageGoals.VoterDiskReplaced,
            },
            coverage.NeverReached.ToHashSet());
        Assert.Contains(coverage.Goals, g => g.Goal == Monitors.CoverageGoals.Partition && g.RunsReached > 0);
        Assert.Contains(coverage.Goals, g => g.Goal == Monitors.CoverageGoals.MessageLost && g.RunsReached > 0);
        Assert.Contains(coverage.Goals, g => g.Goal == Monitors.CoverageGoals.NodeCrashed && g.RunsReached == 8);

        var disk = new Monitors.CoverageTally();
        FaultSpec diskFaults = FaultSpec.None.With(FaultKnob.CrashIntervalMs, 1_000).With(FaultKnob.TornWrite, 500_000)
            .With(FaultKnob.RestartEmpty, 500_000).With(FaultKnob.CorruptIntervalMs, 2_000).With(FaultKnob.CrashMidStep, 300_000);
        for (ulong seed = 1; seed <= 4; seed++)
            disk.Add(SimRun.Of(new SimulationOptions { Seed = seed, DurationMs = 20_000, Observers = 1, Faults = diskFaults }, CounterNode.Correct).Result.Coverage);
        Assert.Empty(disk.NeverReached);
    }
}
