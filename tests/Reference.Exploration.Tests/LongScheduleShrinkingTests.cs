using System.Diagnostics;
using System.Text;
using Reference.Exploration.Museum;
using Reference.Exploration.Shrinking;
using Reference.Exploration.Strategies;
using Reference.Simulation;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Traces;
using Reference.Spec;
using Xunit.Abstractions;

namespace Reference.Exploration.Tests;

/// <summary>
/// The museum's unclean-leader-election campaign (timely, data workload, a cut and a kill, 12,000 steps), run
/// once for the class: its finding is a schedule of some 10,000 decisions, too long for delta debugging.
/// </summary>
public sealed class UncleanLeaderElectionFinding
{
    public UncleanLeaderElectionFinding()
    {
        Bug = BugMuseum.Find("unclean-leader-election")!;
        Explorer = new Explorer(Bug.Options());
        Finding = Explorer.Run(StrategyCatalog.Create(Bug.Strategy, Bug.Options())).FirstFinding
            ?? throw new Xunit.Sdk.XunitException("unclean-leader-election not found within its museum budget");
    }

    public MuseumBug Bug { get; }
    public Explorer Explorer { get; }
    public ExplorationFinding Finding { get; }
}

/// <summary>Shrinking a schedule longer than delta debugging takes: as a fault plan (the simulator's order with faults at steps), under a stated run budget.</summary>
public sealed class LongScheduleShrinkingTests(UncleanLeaderElectionFinding campaign, ITestOutputHelper output) : IClassFixture<UncleanLeaderElectionFinding>
{
    private static readonly ExplorationOptions SmallElection = new() { Voters = 3, Iterations = 1, StepsMax = 60, Workload = ExplorationWorkload.None, CrashesMax = 1, DropsMax = 0 };

    [Fact]
    public void ATimelyFindingIsItsFaultPlanReplayedStepForStep()
    {
        ExplorationFinding finding = campaign.Finding;
        Assert.True(finding.Decisions.Count > ScheduleShrinker.DeltaDebuggingDecisionsMax, $"{finding.Decisions.Count} decisions");
        FaultPlan plan = FaultPlan.Of(finding.Decisions);
        Assert.InRange(plan.Faults.Count, 1, campaign.Bug.PartitionsMax + campaign.Bug.KillsMax);

        ExplorationReport again = new Explorer(campaign.Bug.Options() with { Seed = finding.Seed, Iterations = 1 }).Run(new FaultPlanStrategy(plan));

        ExplorationFinding replayed = again.FirstFinding ?? throw new Xunit.Sdk.XunitException("the fault plan's run found nothing");
        Assert.Equal(finding.Outcome, replayed.Outcome);
        Assert.Equal(finding.Decisions, replayed.Decisions);
    }

    [Fact]
    public void ALongTimelyScheduleShrinksBelowWhatRemovingItsFaultsAloneGivesAndItsTraceReplays()
    {
        ExplorationFinding finding = campaign.Finding;
        string violation = campaign.Bug.ExpectedViolation;
        (List<ScheduleChoice> faultsOnly, SimulationResult faultsOnlyRun) = WithoutNeedlessFaults(finding);

        var clock = Stopwatch.StartNew();
        ShrinkResult shrunk = new ScheduleShrinker(campaign.Explorer).Shrink(finding.Seed, finding.Decisions, violation);
        clock.Stop();

        var text = new StringWriter();
        SimulationResult run = shrunk.Explorer.RunOnce(finding.Seed, shrunk.Decisions, new TraceWriter(text));
        Assert.Equal(violation, shrunk.Outcome.ViolationName);
        Assert.Equal(violation, run.Outcome.ViolationName);
        Assert.True(shrunk.Runs <= 1 + ScheduleShrinker.LongScheduleRunsMax + campaign.Bug.Voters - 1, $"{shrunk.Runs} runs");
        Assert.True(shrunk.Decisions.Count < faultsOnly.Count, $"{shrunk.Decisions.Count} decisions, {faultsOnly.Count} with its faults alone removed");
        Assert.True(run.VirtualTimeMs < faultsOnlyRun.VirtualTimeMs, $"{run.VirtualTimeMs} ms, {faultsOnlyRun.VirtualTimeMs} ms with its faults alone removed");

        TraceDocument trace = TraceReader.Read(new StringReader(text.ToString()));
        ReplayResult replay = new TraceReplayer(SimulatedCluster.DefaultNode!, SpecMonitors.All()).Replay(trace);
        Assert.True(replay.IsIdentical, replay.ToString());
        Assert.Equal(violation, replay.Outcome.ViolationName);

        output.WriteLine($"found: {finding.Decisions.Count} decisions, {finding.Outcome.ViolationName}");
        output.WriteLine($"faults only: {faultsOnly.Count} decisions, {faultsOnlyRun.VirtualTimeMs} ms");
        output.WriteLine($"shrunk: {shrunk.Decisions.Count} decisions, {run.VirtualTimeMs} ms, {run.Events} events, {Encoding.UTF8.GetByteCount(text.ToString())} trace bytes, {shrunk.Runs} runs in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void AFaultPlanTakesEachFaultAtItsStepAndOtherwiseTheEarliestEvent()
    {
        var crash = new ScheduleChoice(ChoiceKind.Crash, 1, 0, 0, 0);
        var steps = new List<(ScheduleChoice Taken, int Pick, int Earliest)>();
        new Explorer(SmallElection).Run(new Watching(new FaultPlanStrategy(new FaultPlan([new PlannedFault(10, crash)], 40)), steps));

        Assert.Equal(40, steps.Count);
        Assert.Equal(crash.Signature, steps[10].Taken.Signature);
        Assert.All(steps.Where((_, i) => i != 10), s => Assert.Equal(s.Earliest, s.Pick));
    }

    [Fact]
    public void AFaultNeverOfferedIsCarriedToTheEndAndTheRunKeepsTheSimulatorsOrder()
    {
        var steps = new List<(ScheduleChoice Taken, int Pick, int Earliest)>();
        var plan = new FaultPlan([new PlannedFault(5, new ScheduleChoice(ChoiceKind.Crash, 1, 0, 0, 0))], 40);
        new Explorer(SmallElection with { CrashesMax = 0 }).Run(new Watching(new FaultPlanStrategy(plan), steps));

        Assert.Equal(40, steps.Count);
        Assert.All(steps, s => Assert.Equal(s.Earliest, s.Pick));
    }

    /// <summary>The reference the fault plan must beat: each fault removed from the decision list, latest first, while the guided re-run still fails.</summary>
    private (List<ScheduleChoice>, SimulationResult) WithoutNeedlessFaults(ExplorationFinding finding)
    {
        List<ScheduleChoice> kept = [.. finding.Decisions];
        SimulationResult last = campaign.Explorer.RunOnce(finding.Seed, kept);
        foreach (int index in Enumerable.Range(0, kept.Count).Where(i => kept[i].Lane == ScheduleChoice.FaultLane).Reverse().ToList())
        {
            List<ScheduleChoice> candidate = kept.Where((_, i) => i != index).ToList();
            SimulationResult tried = campaign.Explorer.RunOnce(finding.Seed, candidate);
            if (tried.Outcome.ViolationName != campaign.Bug.ExpectedViolation) continue;
            (kept, last) = (candidate, tried);
        }
        return (kept, last);
    }

    /// <summary>Records each step's taken choice, its index, and the index of the earliest event offered (the first that is not a fault).</summary>
    private sealed class Watching(IExplorationStrategy inner, List<(ScheduleChoice Taken, int Pick, int Earliest)> steps) : IExplorationStrategy
    {
        public string Name => inner.Name;

        public bool BeginIteration(int iteration) => inner.BeginIteration(iteration);

        public int Choose(ScheduleStep step)
        {
            int pick = inner.Choose(step);
            int earliest = Enumerable.Range(0, step.Choices.Length).FirstOrDefault(i => step.Choices[i].Lane != ScheduleChoice.FaultLane, -1);
            if (pick >= 0) steps.Add((step.Choices[pick], pick, earliest));
            return pick;
        }
    }
}
