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
            ScheduleChoice[] choices = step.Choices.ToArray();
            // One fsync and one wake-up per node at a time: a disk's flushes complete in order, and a node's earliest timer comes first.
            foreach (ChoiceKind ordered in new[] { ChoiceKind.Flush, ChoiceKind.Timer })
                if (choices.Where(c => c.Kind == ordered).GroupBy(c => c.NodeId).Any(g => g.Count() > 1)) Broken.Add($"two {ordered} choices for one node at step {step.Index}");
            for (int i = 1; i < choices.Length; i++)
                if (choices[i].Lane != ScheduleChoice.FaultLane && choices[i - 1].Lane != ScheduleChoice.FaultLane && choices[i].TimeMs < choices[i - 1].TimeMs)
                    Broken.Add($"events out of time order at step {step.Index}");
            int fault = -1;
            for (int i = 0; i < choices.Length && fault < 0; i++)
                if (choices[i].Kind is ChoiceKind.Crash or ChoiceKind.Wipe or ChoiceKind.Kill or ChoiceKind.Drop or ChoiceKind.Partition or ChoiceKind.Isolate) fault = i;
            int pick = fault >= 0 ? fault : _random.Choose(step);
            Taken.Add(choices[pick].Kind);
            return pick;
        }
    }

    [Fact]
    public void FaultsAreOfferedOnlyWithinTheBudgetAndOrdersAreKept()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 3, StepsMax = 150, CrashesMax = 1, WipesMax = 1, KillsMax = 1, DropsMax = 2, PartitionsMax = 1 };
        var strategy = new FaultGreedy(9);
        ExplorationReport report = new Explorer(options).Run(strategy);
        Assert.Empty(strategy.Broken);
        Assert.Null(report.FirstFinding);
        Assert.Equal(3 * options.CrashesMax, strategy.Taken.Count(k => k == ChoiceKind.Crash));
        Assert.Equal(3 * options.WipesMax, strategy.Taken.Count(k => k == ChoiceKind.Wipe));
        Assert.Equal(3 * options.KillsMax, strategy.Taken.Count(k => k == ChoiceKind.Kill));
        Assert.Equal(3 * options.DropsMax, strategy.Taken.Count(k => k == ChoiceKind.Drop));
        Assert.Equal(3 * options.PartitionsMax, strategy.Taken.Count(k => k == ChoiceKind.Partition));
        // A crashed node comes back: its restart is a choice the run took.
        Assert.True(strategy.Taken.Count(k => k == ChoiceKind.Start) >= 3 * (options.Voters + options.CrashesMax + options.WipesMax + options.KillsMax), "no restart after a crash");
    }

    [Fact]
    public void WithoutABudgetNoFaultIsOffered()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 2, StepsMax = 100, CrashesMax = 0, DropsMax = 0, PartitionsMax = 0 };
        var strategy = new FaultGreedy(4);
        new Explorer(options).Run(strategy);
        Assert.DoesNotContain(strategy.Taken, k => k is ChoiceKind.Crash or ChoiceKind.Wipe or ChoiceKind.Kill or ChoiceKind.Drop or ChoiceKind.Partition);
    }

    [Fact]
    public void AWipedNodeRestartsOnAnEmptyDiskAndACrashedOneOnItsOwn()
    {
        ScheduleChoice Take(ChoiceKind kind, int node) => new(kind, node, 0, 0, 0);
        var explorer = new Explorer(new ExplorationOptions { Voters = 3, CrashesMax = 1, WipesMax = 1, DropsMax = 0, Workload = ExplorationWorkload.None });
        var text = new StringWriter();
        explorer.RunOnce(5, [Take(ChoiceKind.Start, 1), Take(ChoiceKind.Start, 2), Take(ChoiceKind.Start, 3), Take(ChoiceKind.Crash, 2), Take(ChoiceKind.Start, 2),
            Take(ChoiceKind.Wipe, 1), Take(ChoiceKind.Start, 1)], new Simulation.Traces.TraceWriter(text));
        string trace = text.ToString();
        Assert.Contains("n1 crash cause=\"explorer: power cut, disk replaced\"", trace, StringComparison.Ordinal);
        Assert.Contains("n1 started incarnation=2 disk=empty", trace, StringComparison.Ordinal);
        Assert.Contains("n2 started incarnation=2 disk=kept", trace, StringComparison.Ordinal);
    }

    /// <summary>Runs in the simulator's order for a while, then takes one fault of <see cref="Kind"/> on the node with the longest unflushed tail, noting its logs' ends before and after.</summary>
    private sealed class FaultAfterWrites(ChoiceKind kind, int stepsBefore) : IExplorationStrategy
    {
        public ChoiceKind Kind => kind;
        public Dictionary<string, long> EndsBefore { get; } = [];
        public Dictionary<string, long> EndsAfter { get; } = [];
        public long UnflushedBefore { get; private set; }
        private int _victim;

        public string Name => "fault-after-writes";

        public bool BeginIteration(int iteration) => true;

        public int Choose(ScheduleStep step)
        {
            if (step.Index == stepsBefore + 1) foreach (var end in Ends(step, _victim)) EndsAfter[end.Key] = end.Value;
            if (step.Index != stepsBefore) return 0;
            var victim = step.View.Nodes.Where(n => n.IsRunning).MaxBy(n => n.Storage.Logs.Sum(l => n.Storage.Extent(l).EndOffset - n.Storage.Extent(l).DurableEndOffset))!;
            _victim = victim.NodeId;
            UnflushedBefore = victim.Storage.Logs.Sum(l => victim.Storage.Extent(l).EndOffset - victim.Storage.Extent(l).DurableEndOffset);
            foreach (var end in Ends(step, _victim)) EndsBefore[end.Key] = end.Value;
            for (int i = 0; i < step.Choices.Length; i++)
                if (step.Choices[i].Kind == kind && step.Choices[i].NodeId == _victim) return i;
            throw new InvalidOperationException($"no {kind} of n{_victim} offered");
        }

        private static IEnumerable<KeyValuePair<string, long>> Ends(ScheduleStep step, int node)
        {
            var storage = step.View.Node(node).Storage;
            return storage.Logs.Select(l => KeyValuePair.Create(l.ToString(), storage.Extent(l).EndOffset));
        }
    }

    [Theory]
    [InlineData(ChoiceKind.Kill)]
    [InlineData(ChoiceKind.Crash)]
    public void AKilledProcessKeepsWhatItWroteWhereAPowerCutLosesTheUnflushedTail(ChoiceKind kind)
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 1, StepsMax = 1_500, CrashesMax = 1, KillsMax = 1, DropsMax = 0, Workload = ExplorationWorkload.Data };
        var strategy = new FaultAfterWrites(kind, stepsBefore: 1_400);
        new Explorer(options).Run(strategy);
        Assert.True(strategy.UnflushedBefore > 0, "the data workload left no unflushed tail to keep or lose");
        if (kind == ChoiceKind.Kill) Assert.Equal(strategy.EndsBefore, strategy.EndsAfter);
        else Assert.True(strategy.EndsAfter.Sum(e => strategy.EndsBefore[e.Key] - e.Value) > 0, "a power cut kept every unflushed byte");
    }

    [Fact]
    public void TheTimelyStrategyRunsInTimeOrderWithItsFaultsAtItsFaultPoints()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 4, StepsMax = 400, CrashesMax = 1, KillsMax = 1, DropsMax = 1, PartitionsMax = 1 };
        var timely = StrategyCatalog.Create("timely", options);
        var recorder = new Recorder(timely);
        ExplorationReport report = new Explorer(options).Run(recorder);
        Assert.Null(report.FirstFinding);
        Assert.Equal(4 * options.FaultBudget, recorder.Faults);
        // Apart from its faults it takes the earliest event, so the clock never runs back to an event it passed over.
        Assert.Equal(0, recorder.EarlierLeftBehind);
    }

    /// <summary>Counts a strategy's faults, and steps that took an event while an earlier one was enabled.</summary>
    private sealed class Recorder(IExplorationStrategy inner) : IExplorationStrategy
    {
        public int Faults { get; private set; }
        public int EarlierLeftBehind { get; private set; }

        public string Name => inner.Name;

        public bool BeginIteration(int iteration) => inner.BeginIteration(iteration);

        public int Choose(ScheduleStep step)
        {
            int pick = inner.Choose(step);
            ScheduleChoice chosen = step.Choices[pick];
            if (chosen.Lane == ScheduleChoice.FaultLane) Faults++;
            else if (step.Choices.ToArray().Any(c => c.Lane != ScheduleChoice.FaultLane && c.TimeMs < chosen.TimeMs)) EarlierLeftBehind++;
            return pick;
        }
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

    [Fact]
    public void IsolationsLeaveAQuorumOfVotersAndHealOnTime()
    {
        // Five voters: two may be isolated at once, never a third, and each isolation heals after its time.
        var options = new ExplorationOptions
        {
            Voters = 5, Iterations = 1, StepsMax = 600, CrashesMax = 0, DropsMax = 0, IsolationsMax = 3, IsolationMs = 300, FairSuffixMs = 15_000,
        };
        var strategy = new FaultGreedy(3);
        ExplorationReport report = new Explorer(options).Run(strategy);
        Assert.Empty(strategy.Broken);
        Assert.Null(report.FirstFinding);
        Assert.Equal(1, report.FairSchedules);
        int isolated = 0, most = 0;
        foreach (ChoiceKind kind in strategy.Taken)
        {
            if (kind == ChoiceKind.Isolate) isolated++;
            if (kind == ChoiceKind.Heal) isolated--;
            most = Math.Max(most, isolated);
        }
        Assert.Equal(2, most);
        Assert.Equal(options.IsolationsMax, strategy.Taken.Count(k => k == ChoiceKind.Isolate));
        Assert.True(strategy.Taken.Count(k => k == ChoiceKind.Heal) >= 2, "an isolation never healed within the prefix");
    }
}
