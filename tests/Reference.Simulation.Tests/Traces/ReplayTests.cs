using Reference.Simulation.Faults;
using Reference.Simulation.Tests.Toys;
using Reference.Simulation.Traces;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Tests.Traces;

public sealed class ReplayTests
{
    private static SimulationOptions AllFaults(ulong seed) => new()
    {
        Seed = seed,
        DurationMs = 20_000,
        Observers = 1,
        Faults = FaultSpec.Of(FaultProfile.All).With(FaultKnob.CrashIntervalMs, 2_000).With(FaultKnob.TornWrite, 500_000)
            .With(FaultKnob.CrashMidStep, 300_000).With(FaultKnob.CorruptIntervalMs, 3_000).With(FaultKnob.RestartEmpty, 200_000),
    };

    [Fact]
    public void AReplayOfARunIsIdentical()
    {
        for (ulong seed = 1; seed <= 3; seed++)
        {
            SimRun run = SimRun.Of(AllFaults(seed), ToyControllerNode.Implementation, workload: new MetadataProposalWorkload());
            ReplayResult replay = new TraceReplayer(ToyControllerNode.Implementation).Replay(run.Document);
            Assert.True(replay.IsIdentical, $"{run.Describe}\n{replay}");
            Assert.Equal(run.Result.Events, replay.Events);
        }
    }

    [Fact]
    public void AReplayOfDiskFaultsCrashesTearsAndRotIsIdentical()
    {
        for (ulong seed = 1; seed <= 5; seed++)
        {
            SimRun run = SimRun.Of(AllFaults(seed), CounterNode.Verifying);
            Assert.Contains(" crash ", run.Trace);
            ReplayResult replay = new TraceReplayer(CounterNode.Verifying).Replay(run.Document);
            Assert.True(replay.IsIdentical, $"{run.Describe}\n{replay}");
        }
    }

    [Fact]
    public void ATraceReadsBackToTheSameText()
    {
        SimRun run = SimRun.Of(AllFaults(4), ToyControllerNode.Implementation, workload: new MetadataProposalWorkload());
        TraceDocument document = run.Document;
        var text = new StringWriter();
        var writer = new TraceWriter(text);
        writer.WriteHeader(document.Header);
        foreach (TraceDocument.Line line in document.Entries) writer.Write(line.Entry);
        writer.WriteEnd(document.End!);
        Assert.Equal(run.Trace, text.ToString());
    }

    [Fact]
    public void ANodeThatBehavesDifferentlyDivergesAtItsFirstDifferentEffect()
    {
        SimRun run = SimRun.Of(new SimulationOptions { Seed = 1, DurationMs = 2_000 }, CounterNode.Correct);
        ReplayResult replay = new TraceReplayer(CounterNode.PromisesBeforeFlush).Replay(run.Document);
        Assert.False(replay.IsIdentical);
        ReplayDivergence divergence = replay.Divergence!;
        Assert.Equal(2, divergence.EffectIndex);
        Assert.StartsWith("wake at=", divergence.Expected);
        Assert.StartsWith("persist-quorum-state epoch=1", divergence.Actual);
        Assert.Contains("time", divergence.Event);
        Assert.Matches(@"diverged at line \d+ \(t=\d+ ms, n\d time\), effect 3\n  expected: wake at=\d+\n  actual:   persist-quorum-state", replay.ToString());
    }

    [Fact]
    public void AnEditedTraceDivergesWhereItWasEdited()
    {
        SimRun run = SimRun.Of(new SimulationOptions { Seed = 2, DurationMs = 2_000 }, PingNode.Implementation);
        string[] lines = run.Trace.Split('\n');
        int edited = Array.FindIndex(lines, 40, l => l.StartsWith("  = wake at=", StringComparison.Ordinal));
        lines[edited] = "  = wake at=999999";
        TraceDocument document = TraceReader.Read(new StringReader(string.Join('\n', lines)));
        ReplayResult replay = new TraceReplayer(PingNode.Implementation).Replay(document);
        Assert.NotNull(replay.Divergence);
        Assert.Equal("wake at=999999", replay.Divergence.Expected);
        Assert.True(replay.Divergence.LineNumber < edited + 1 && replay.Divergence.LineNumber > edited - 10);
    }

    [Fact]
    public void APlantedBugIsCaughtByItsMonitorAndItsTraceReplaysToTheSameViolation()
    {
        var faults = FaultSpec.None.With(FaultKnob.Loss, 50_000);
        SimRun? caught = Enumerable.Range(1, 20)
            .Select(seed => SimRun.Of(new SimulationOptions { Seed = (ulong)seed, DurationMs = 20_000, Faults = faults }, TokenNode.ReclaimsOnFailure, [new SingleTokenHolder()]))
            .FirstOrDefault(run => !run.Result.Outcome.IsOk);
        Assert.NotNull(caught);
        Assert.Equal("SingleTokenHolder", caught.Result.Outcome.ViolationName);
        Assert.Matches("n[0-9] and n[0-9] both hold the token", caught.Result.Outcome.Message);
        Assert.EndsWith($"outcome violation name=SingleTokenHolder message=\"{caught.Result.Outcome.Message}\"\n", caught.Trace);

        ReplayResult replay = new TraceReplayer(TokenNode.ReclaimsOnFailure, [new SingleTokenHolder()]).Replay(caught.Document);
        Assert.True(replay.IsIdentical, replay.ToString());
        Assert.Equal(caught.Result.Outcome, replay.Outcome);

        // The correct node under the same seed and faults keeps the token unique.
        SimRun correct = SimRun.Of(new SimulationOptions { Seed = caught.Result.Seed, DurationMs = 20_000, Faults = faults }, TokenNode.Correct, [new SingleTokenHolder()]);
        Assert.True(correct.Result.Outcome.IsOk, correct.Describe);
    }

    [Fact]
    public void AReplayWithAnotherConfigurationIsRefusedNotCompared()
    {
        SimRun run = SimRun.Of(new SimulationOptions { Seed = 1, DurationMs = 1_000, ConfigureNode = c => c with { QuorumRequestTimeoutMs = 50 } }, PingNode.Implementation);
        ReplayResult replay = new TraceReplayer(PingNode.Implementation).Replay(run.Document);
        Assert.NotNull(replay.Problem);
        Assert.Contains("configuration differs", replay.Problem);
        ReplayResult same = new TraceReplayer(PingNode.Implementation, configureNode: c => c with { QuorumRequestTimeoutMs = 50 }).Replay(run.Document);
        Assert.True(same.IsIdentical, same.ToString());
    }

    [Fact]
    public void AViolationFromANodeThatThrowsReplaysToTheSameViolation()
    {
        SimRun run = Storage.CrashAndRestartTests.CrashPartWayThroughATickOfTheBuggyCounter(afterEffects: 3);
        Assert.Equal(SimulatorViolations.NodeThrew, run.Result.Outcome.ViolationName);
        ReplayResult replay = new TraceReplayer(CounterNode.PromisesBeforeFlush).Replay(run.Document);
        Assert.True(replay.IsIdentical, replay.ToString());
    }
}
