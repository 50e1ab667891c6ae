using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Tests.Toys;

namespace Reference.Simulation.Tests.Storage;

/// <summary>Crashes, restarts and disk faults in a running cluster, seen through the toy counter node's promises.</summary>
public sealed class CrashAndRestartTests
{
    private static FaultSpec PowerCuts(long tornWritePpm = 0) => FaultSpec.None
        .With(FaultKnob.CrashIntervalMs, 1_000)
        .With(FaultKnob.RestartDelayMs, 200)
        .With(FaultKnob.FlushLatencyMs, 30)
        .With(FaultKnob.TornWrite, tornWritePpm);

    /// <summary>After every crash without torn writes, the node's log ends where its durable prefix ended before.</summary>
    private sealed class CrashKeepsTheDurablePrefix : IMonitor
    {
        private readonly SortedDictionary<int, long> _durableBefore = new();

        public string Name => "CrashKeepsTheDurablePrefix";

        public MonitorViolation? Check(ClusterView view)
        {
            if (view.LastEvent is SimulationEvent.NodeCrashed crashed)
            {
                long end = view.Node(crashed.NodeId).Storage.Extent(CounterNode.Log).EndOffset;
                long durable = _durableBefore.GetValueOrDefault(crashed.NodeId);
                if (end != durable) return new MonitorViolation($"n{crashed.NodeId} kept {end} records after a crash, {durable} were durable");
            }
            foreach (NodeView node in view.Nodes.Where(n => n.IsRunning))
                _durableBefore[node.NodeId] = node.Storage.Extent(CounterNode.Log).DurableEndOffset;
            return null;
        }
    }

    [Fact]
    public void ACrashLosesExactlyWhatWasNotFlushed()
    {
        for (ulong seed = 1; seed <= 5; seed++)
        {
            SimRun run = SimRun.Of(new SimulationOptions { Seed = seed, DurationMs = 20_000, Faults = PowerCuts() }, CounterNode.Correct,
                [new CrashKeepsTheDurablePrefix()]);
            Assert.True(run.Result.Outcome.IsOk, run.Describe);
            Assert.InRange(run.Result.Crashes, 5, 40);
        }
    }

    [Fact]
    public void ACorrectNodeKeepsItsPromisesThroughPowerCutsAndTornWrites()
    {
        var coverage = new CoverageTally();
        for (ulong seed = 1; seed <= 10; seed++)
        {
            SimRun run = SimRun.Of(new SimulationOptions { Seed = seed, DurationMs = 20_000, Faults = PowerCuts(500_000).With(FaultKnob.CrashMidStep, 300_000) },
                CounterNode.Correct);
            Assert.True(run.Result.Outcome.IsOk, run.Describe);
            coverage.Add(run.Result.Coverage);
        }
        Assert.Empty(coverage.NeverReached);
        Assert.Contains(coverage.Goals, g => g.Goal == CoverageGoals.TornWrite && g.RunsReached == 10);
        Assert.Contains(coverage.Goals, g => g.Goal == CoverageGoals.RecoveryCut && g.Count > 0);
    }

    [Fact]
    public void PromisingBeforeTheFlushIsCaughtByAPowerCut()
    {
        SimRun? caught = Enumerable.Range(1, 10)
            .Select(seed => SimRun.Of(new SimulationOptions { Seed = (ulong)seed, DurationMs = 20_000, Faults = PowerCuts() }, CounterNode.PromisesBeforeFlush))
            .FirstOrDefault(run => !run.Result.Outcome.IsOk);
        Assert.NotNull(caught);
        Assert.Equal(SimulatorViolations.NodeThrew, caught.Result.Outcome.ViolationName);
        Assert.Contains("promised", caught.Result.Outcome.Message);
    }

    /// <summary>
    /// The buggy counter's tick asks for: append, flush, persist the promise, wake. This crashes node 1 during
    /// its tick at 1 s, after <paramref name="afterEffects"/> of them, and restarts it 10 ms later.
    /// </summary>
    internal static SimRun CrashPartWayThroughATickOfTheBuggyCounter(int afterEffects) => SimRun.Of(new SimulationOptions
    {
        Seed = 1,
        DurationMs = 2_000,
        ScheduledFaults = [new ScheduledFault(1_000, new ClusterFault.CrashDuringNextStep(1, afterEffects, RestartAfterMs: 10))],
    }, CounterNode.PromisesBeforeFlush);

    [Fact]
    public void ACrashPartWayThroughAStepCarriesOutOnlyTheEffectsBeforeIt()
    {
        // After the third effect the promise is on disk, the flush never completes, the record is lost.
        SimRun run = CrashPartWayThroughATickOfTheBuggyCounter(afterEffects: 3);
        Assert.Equal(SimulatorViolations.NodeThrew, run.Result.Outcome.ViolationName);
        Assert.Matches("n1 promised [0-9]+ records but its disk holds", run.Result.Outcome.Message);
        Assert.Matches("n1 crash cause=\"crash while carrying out a step\" after-effects=3", run.Trace);
    }

    /// <summary>
    /// Remembers what the previous check saw; at a crash that cut a step short, that check must not have been
    /// of the cut step itself (same node, same time) with the node still running.
    /// </summary>
    private sealed class CutStepWatcher : IMonitor
    {
        private (SimulationEvent? Event, bool NodeRunning) _previous;
        public List<SimulationEvent> CutStepsSeenRunning { get; } = [];
        public int MidStepCrashes { get; private set; }
        public string Name => "CutStepWatcher";

        public MonitorViolation? Check(ClusterView view)
        {
            if (view.LastEvent is SimulationEvent.NodeCrashed crash && crash.Cause.Contains("carrying out a step"))
            {
                MidStepCrashes++;
                if (_previous is (SimulationEvent.InputDelivered step, true) && step.NodeId == crash.NodeId && step.TimeMs == crash.TimeMs)
                    CutStepsSeenRunning.Add(step);
            }
            int? nodeId = (view.LastEvent as SimulationEvent.InputDelivered)?.NodeId;
            _previous = (view.LastEvent, nodeId is int id && view.Node(id).IsRunning);
            return null;
        }
    }

    [Fact]
    public void MonitorsNeverSeeAStepCutShortByACrashWithTheNodeStillRunning()
    {
        var watcher = new CutStepWatcher();
        SimRun run = SimRun.Of(new SimulationOptions
        {
            Seed = 1,
            DurationMs = 2_000,
            ScheduledFaults = [new ScheduledFault(1_000, new ClusterFault.CrashDuringNextStep(1, 1, RestartAfterMs: 10))],
        }, CounterNode.Correct, [watcher]);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.Contains("crash while carrying out a step", run.Trace);
        Assert.Equal(1, watcher.MidStepCrashes);
        Assert.Empty(watcher.CutStepsSeenRunning);
    }

    [Fact]
    public void TheSameCrashAfterTheFlushWasAskedForButBeforeThePromiseIsHarmless()
    {
        SimRun run = CrashPartWayThroughATickOfTheBuggyCounter(afterEffects: 2);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.Equal(2, run.Cluster.View.Node(1).Incarnation);
    }

    [Fact]
    public void ARestartWithAnEmptyDiskStartsFromNothing()
    {
        SimRun run = SimRun.Of(new SimulationOptions
        {
            Seed = 2,
            DurationMs = 3_000,
            ScheduledFaults = [new ScheduledFault(2_000, new ClusterFault.Crash(1, RestartAfterMs: 100, EmptyDiskOnRestart: true))],
        }, CounterNode.Correct);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.InRange(run.Cluster.View.Node(1).Storage.Extent(CounterNode.Log).EndOffset, 15, 19);
        Assert.InRange(run.Cluster.View.Node(2).Storage.Extent(CounterNode.Log).EndOffset, 55, 61);
        Assert.Contains("n1 started incarnation=2 disk=empty", run.Trace);
    }

    [Fact]
    public void ARottedByteIsDetectedOnReadTheNodeGoesDownAndRecoveryCutsTheLog()
    {
        SimRun run = SimRun.Of(new SimulationOptions
        {
            Seed = 3,
            DurationMs = 3_000,
            Faults = FaultSpec.None.With(FaultKnob.RestartDelayMs, 50),
            ScheduledFaults = [new ScheduledFault(2_000, new ClusterFault.CorruptByte(1, CounterNode.Log, 10, 40, 0x04))],
        }, CounterNode.Verifying);
        Assert.Equal(1, run.Result.Coverage.Count(CoverageGoals.CorruptionDetectedOnRead));
        Assert.Contains("n1 corrupt log=toy-counter-0 batch=10 byte=40 xor=04", run.Trace);
        Assert.Contains("threw LogCorruptionException", run.Trace);
        Assert.Matches("n1 recovered log=toy-counter-0 end=10 reason=CrcMismatch", run.Trace);
        // The toy keeps no replicas to repair from, so it finds it lost what it promised: the finding the trace ends with.
        Assert.Equal(SimulatorViolations.NodeThrew, run.Result.Outcome.ViolationName);
        Assert.Contains("but its disk holds 10", run.Result.Outcome.Message);
    }
}
