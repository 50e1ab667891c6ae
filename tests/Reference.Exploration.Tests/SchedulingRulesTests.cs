using Reference.Exploration.Strategies;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Tests;

/// <summary>What the explored simulator offers at each step: orders kept, faults within their budget.</summary>
public sealed class SchedulingRulesTests
{
    /// <summary>Takes a fault whenever one is offered, else draws at random; checks every step's offer.</summary>
    private sealed class FaultGreedy(ulong seed) : IExplorationStrategy
    {
        private readonly RandomWalkStrategy _random = new(seed);

        public List<ChoiceKind> Taken { get; } = [];
        public List<string> Broken { get; } = [];

        public string Name => "fault-greedy";

        public bool BeginIteration(int iteration) => _random.BeginIteration(iteration);

        public int Choose(ScheduleStep step)
        {
            IReadOnlyList<ScheduleChoice> choices = step.Choices;
            // One fsync and one wake-up per node at a time: a disk's flushes complete in order, and a node's earliest timer comes first.
            foreach (ChoiceKind ordered in new[] { ChoiceKind.Flush, ChoiceKind.Timer })
                if (choices.Where(c => c.Kind == ordered).GroupBy(c => c.NodeId).Any(g => g.Count() > 1)) Broken.Add($"two {ordered} choices for one node at step {step.Index}");
            for (int i = 1; i < choices.Count; i++)
                if (choices[i].Lane != ScheduleChoice.FaultLane && choices[i - 1].Lane != ScheduleChoice.FaultLane && choices[i].TimeMs < choices[i - 1].TimeMs)
                    Broken.Add($"events out of time order at step {step.Index}");
            int fault = -1;
            for (int i = 0; i < choices.Count && fault < 0; i++)
                if (choices[i].Kind is ChoiceKind.Crash or ChoiceKind.Wipe or ChoiceKind.Drop or ChoiceKind.Partition) fault = i;
            int pick = fault >= 0 ? fault : _random.Choose(step);
            Taken.Add(choices[pick].Kind);
            return pick;
        }
    }

    [Fact]
    public void FaultsAreOfferedOnlyWithinTheBudgetAndOrdersAreKept()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 3, StepsMax = 150, CrashesMax = 1, WipesMax = 1, DropsMax = 2, PartitionsMax = 1 };
        var strategy = new FaultGreedy(9);
        ExplorationReport report = new Explorer(options).Run(strategy);
        Assert.Empty(strategy.Broken);
        Assert.Null(report.FirstFinding);
        Assert.Equal(3 * options.CrashesMax, strategy.Taken.Count(k => k == ChoiceKind.Crash));
        Assert.Equal(3 * options.WipesMax, strategy.Taken.Count(k => k == ChoiceKind.Wipe));
        Assert.Equal(3 * options.DropsMax, strategy.Taken.Count(k => k == ChoiceKind.Drop));
        Assert.Equal(3 * options.PartitionsMax, strategy.Taken.Count(k => k == ChoiceKind.Partition));
        // A crashed node comes back: its restart is a choice the run took.
        Assert.True(strategy.Taken.Count(k => k == ChoiceKind.Start) >= 3 * (options.Voters + options.CrashesMax + options.WipesMax), "no restart after a crash");
    }

    [Fact]
    public void WithoutABudgetNoFaultIsOffered()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 2, StepsMax = 100, CrashesMax = 0, DropsMax = 0, PartitionsMax = 0 };
        var strategy = new FaultGreedy(4);
        new Explorer(options).Run(strategy);
        Assert.DoesNotContain(strategy.Taken, k => k is ChoiceKind.Crash or ChoiceKind.Wipe or ChoiceKind.Drop or ChoiceKind.Partition);
    }

    [Fact]
    public void AWipedNodeRestartsOnAnEmptyDiskAndACrashedOneOnItsOwn()
    {
        ScheduleChoice Take(ChoiceKind kind, int node) => new(kind, node, 0, 0, 0);
        var explorer = new Explorer(new ExplorationOptions { Voters = 3, CrashesMax = 1, WipesMax = 1, DropsMax = 0, Workload = false });
        var text = new StringWriter();
        explorer.RunOnce(5, [Take(ChoiceKind.Start, 1), Take(ChoiceKind.Start, 2), Take(ChoiceKind.Start, 3), Take(ChoiceKind.Crash, 2), Take(ChoiceKind.Start, 2),
            Take(ChoiceKind.Wipe, 1), Take(ChoiceKind.Start, 1)], new Simulation.Traces.TraceWriter(text));
        string trace = text.ToString();
        Assert.Contains("n1 crash cause=\"explorer: power cut, disk replaced\"", trace, StringComparison.Ordinal);
        Assert.Contains("n1 started incarnation=2 disk=empty", trace, StringComparison.Ordinal);
        Assert.Contains("n2 started incarnation=2 disk=kept", trace, StringComparison.Ordinal);
    }

    [Fact]
    public void FairSchedulesWithACutLinkStayLive()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 3, StepsMax = 60, CrashesMax = 0, DropsMax = 0, PartitionsMax = 1, FairSuffixMs = 15_000 };
        var strategy = new FaultGreedy(2);
        ExplorationReport report = new Explorer(options).Run(strategy);
        Assert.Null(report.FirstFinding);
        Assert.Equal(3, report.FairSchedules);
        Assert.Equal(3, strategy.Taken.Count(k => k == ChoiceKind.Partition));
    }
}
