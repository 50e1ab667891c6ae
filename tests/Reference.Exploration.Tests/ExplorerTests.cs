using Reference.Exploration.Strategies;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Traces;

namespace Reference.Exploration.Tests;

/// <summary>The explorer's strategies over real nodes: determinism, DFS's state count, a clean cluster staying clean, liveness on fair schedules.</summary>
public sealed class ExplorerTests
{
    private static readonly ExplorationOptions Election = new() { Voters = 3, Iterations = 6, StepsMax = 120, Workload = ExplorationWorkload.None, CrashesMax = 1, DropsMax = 1 };

    /// <summary>Remembers every decision of every iteration, to compare two campaigns.</summary>
    private sealed class Recording(IExplorationStrategy inner) : IExplorationStrategy
    {
        public List<ulong> Signatures { get; } = [];

        public string Name => inner.Name;

        public bool RunsOneCluster => inner.RunsOneCluster;

        public bool BeginIteration(int iteration) => inner.BeginIteration(iteration);

        public int Choose(ScheduleStep step)
        {
            int pick = inner.Choose(step);
            Signatures.Add(pick < 0 ? 0 : step.Choices[pick].Signature ^ (ulong)step.Choices.Length);
            return pick;
        }
    }

    [Theory]
    [InlineData("random")]
    [InlineData("probabilistic")]
    [InlineData("pct")]
    [InlineData("portfolio")]
    [InlineData("coverage")]
    public void TheSameSeedChoosesTheSameSchedules(string strategy)
    {
        var first = new Recording(StrategyCatalog.Create(strategy, 7, Election.StepsMax));
        var second = new Recording(StrategyCatalog.Create(strategy, 7, Election.StepsMax));
        ExplorationReport a = new Explorer(Election with { Seed = 7 }).Run(first);
        ExplorationReport b = new Explorer(Election with { Seed = 7 }).Run(second);
        Assert.Equal(a.Steps, b.Steps);
        Assert.Equal(first.Signatures, second.Signatures);
        Assert.True(first.Signatures.Count > Election.Iterations * 10, $"only {first.Signatures.Count} decisions");
        var other = new Recording(StrategyCatalog.Create(strategy, 8, Election.StepsMax));
        new Explorer(Election with { Seed = 8 }).Run(other);
        Assert.NotEqual(first.Signatures, other.Signatures);
    }

    [Fact]
    public void AGuidedReRunOfAScheduleWritesTheSameTraceTwice()
    {
        var recording = new Recording(new RandomWalkStrategy(3));
        var explorer = new Explorer(Election with { Seed = 3, Iterations = 1 });
        var decisions = new List<ScheduleChoice>();
        var capture = new CapturingStrategy(recording, decisions);
        explorer.Run(capture);
        var first = new TraceDigest();
        var second = new TraceDigest();
        explorer.RunOnce(3, decisions, new TraceWriter(first));
        explorer.RunOnce(3, decisions, new TraceWriter(second));
        Assert.Equal(first.Digest, second.Digest);
        Assert.True(decisions.Count == Election.StepsMax, $"{decisions.Count} decisions");
    }

    private sealed class CapturingStrategy(IExplorationStrategy inner, List<ScheduleChoice> decisions) : IExplorationStrategy
    {
        public string Name => inner.Name;

        public bool BeginIteration(int iteration) => inner.BeginIteration(iteration);

        public int Choose(ScheduleStep step)
        {
            int pick = inner.Choose(step);
            if (pick >= 0) decisions.Add(step.Choices[pick]);
            return pick;
        }
    }

    [Theory]
    [InlineData(ExplorationWorkload.Data, "produce")]
    [InlineData(ExplorationWorkload.All, "metadata-proposals+produce")]
    public void TheDataWorkloadRunsInExploredRunsAndTheirTracesReplay(ExplorationWorkload workload, string headerName)
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 1, StepsMax = 2_500, CrashesMax = 1, DropsMax = 0, Workload = workload, DataReplicationFactor = 2 };
        var decisions = new List<ScheduleChoice>();
        ExplorationReport report = new Explorer(options).Run(new CapturingStrategy(StrategyCatalog.Create("timely", options), decisions));
        Assert.Null(report.FirstFinding);
        var text = new StringWriter();
        new Explorer(options).RunOnce(options.Seed, decisions, new TraceWriter(text));
        TraceDocument trace = TraceReader.Read(new StringReader(text.ToString()));
        Assert.Equal(headerName, trace.Header.Workload);
        Assert.Contains("AcknowledgedWritesSurvive", trace.Header.Monitors);
        // Producers were acknowledged and the consumer read: the data checks had something to judge.
        Assert.Contains(" ok op=", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("what=send value=", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("what=poll value=\"p=", text.ToString(), StringComparison.Ordinal);
        ReplayResult replay = new TraceReplayer(Simulation.SimulatedCluster.DefaultNode!, Spec.SpecMonitors.All()).Replay(trace);
        Assert.True(replay.IsIdentical, replay.ToString());
    }

    /// <summary>Observes the fenced-broker monitor at every step of the chosen prefix, passing the choices through.</summary>
    private sealed class FencingWatch(IExplorationStrategy inner) : IExplorationStrategy
    {
        private readonly Spec.Liveness.FencedBrokerEventuallyUnfenced _monitor = new();

        public int HotSteps { get; private set; }

        public string Name => inner.Name;

        public bool BeginIteration(int iteration) => inner.BeginIteration(iteration);

        public int Choose(ScheduleStep step)
        {
            bool hot = _monitor.Observe(step.View) == Simulation.Monitors.Temperature.Hot;
            if (hot) HotSteps++;
            return inner.Choose(step);
        }
    }

    [Fact]
    public void AKilledBrokerIsFencedThenUnfencedAndTheFairSuffixFindsNoBrokerLeftFenced()
    {
        // A kill and a cut link on a data-plane cluster: the killed broker comes back fenced (hot) and is unfenced (cold).
        var options = new ExplorationOptions
        {
            Voters = 3, Iterations = 2, StepsMax = 3_000, CrashesMax = 0, KillsMax = 1, DropsMax = 0, PartitionsMax = 1,
            Workload = ExplorationWorkload.Data, FairSuffixMs = 20_000,
        };
        var watch = new FencingWatch(StrategyCatalog.Create("timely", options));
        ExplorationReport report = new Explorer(options).Run(watch);
        Assert.Null(report.FirstFinding);
        Assert.Equal(2, report.FairSchedules);
        Assert.True(watch.HotSteps > 0, "no broker was ever fenced while it could reach the controller");
    }

    [Fact]
    public void DfsOnATwoVoterElectionReportsTheSameStateCountTwice()
    {
        var options = new ExplorationOptions { Voters = 2, Iterations = 100_000, StepsMax = 7, Workload = ExplorationWorkload.None, CrashesMax = 0, DropsMax = 0 };
        var first = new DfsStrategy();
        var second = new DfsStrategy();
        ExplorationReport a = new Explorer(options).Run(first);
        ExplorationReport b = new Explorer(options).Run(second);
        Assert.True(first.Exhausted, $"not exhausted after {a.Iterations} iterations");
        Assert.Equal(a.DistinctStates, b.DistinctStates);
        Assert.Equal(a.Iterations, b.Iterations);
        Assert.True(a.DistinctStates > 10, $"{a.DistinctStates} states");
        Assert.Equal(0, a.Violations);
    }

    [Fact]
    public void DfsWithADeeperBoundVisitsMoreStates()
    {
        var shallow = new ExplorationOptions { Voters = 2, Iterations = 100_000, StepsMax = 5, Workload = ExplorationWorkload.None, CrashesMax = 0, DropsMax = 0 };
        ExplorationReport few = new Explorer(shallow).Run(new DfsStrategy());
        ExplorationReport more = new Explorer(shallow with { StepsMax = 7 }).Run(new DfsStrategy());
        Assert.True(more.DistinctStates > few.DistinctStates, $"{more.DistinctStates} states at depth 7, {few.DistinctStates} at depth 5");
    }

    [Fact]
    public void FairSchedulesOfTheCorrectNodeElectALeaderAndCommit()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 5, StepsMax = 100, CrashesMax = 1, DropsMax = 2, FairSuffixMs = 12_000 };
        ExplorationReport report = new Explorer(options).Run(PortfolioStrategy.Default(5, options.StepsMax));
        Assert.Null(report.FirstFinding);
        Assert.Equal(report.Iterations, report.FairSchedules);
    }

    [Fact]
    public void AFairSuffixTooShortForAnElectionLeavesEventuallyLeaderElectedHot()
    {
        // One step, then a suffix shorter than an election takes, and a hot bound of 1 ms: the monitor must run hot and be reported.
        var options = new ExplorationOptions { Voters = 3, Iterations = 1, StepsMax = 1, Workload = ExplorationWorkload.None, CrashesMax = 0, DropsMax = 0, FairSuffixMs = 50, HotMsMax = 1 };
        ExplorationReport report = new Explorer(options).Run(new RandomWalkStrategy(1));
        Assert.NotNull(report.FirstFinding);
        Assert.Equal("Liveness.EventuallyLeaderElected", report.FirstFinding!.Outcome.ViolationName);

        // Its trace replays: every input identical; the liveness verdict is the explorer's (replay cannot judge fairness).
        var text = new StringWriter();
        new Explorer(options).RunOnce(report.FirstFinding.Seed, report.FirstFinding.Decisions, new TraceWriter(text));
        TraceDocument trace = TraceReader.Read(new StringReader(text.ToString()));
        Assert.Equal("Liveness.EventuallyLeaderElected", trace.End!.Outcome.ViolationName);
        ReplayResult replay = new TraceReplayer(Simulation.SimulatedCluster.DefaultNode!, Spec.SpecMonitors.All()).Replay(trace);
        Assert.True(replay.IsIdentical, replay.ToString());
    }

    [Fact]
    public void TheShrinkerTriesSmallerClustersBeforeFewerDecisions()
    {
        // The vote-before-persist flaw needs only two voters; found on three, the shrunk schedule must run on fewer
        // and still fail there, and without the decisions that named the node it dropped.
        Museum.MuseumBug bug = Museum.BugMuseum.Find("vote-before-persist")!;
        var explorer = new Explorer(bug.Options());
        ExplorationFinding finding = explorer.Run(new RandomWalkStrategy(bug.Seed)).FirstFinding ?? throw new Xunit.Sdk.XunitException("vote-before-persist not found");

        Shrinking.ShrinkResult shrunk = new Shrinking.ScheduleShrinker(explorer).Shrink(finding.Seed, finding.Decisions, bug.ExpectedViolation);

        Assert.Equal(3, bug.Voters);
        Assert.InRange(shrunk.Voters, 1, 2);
        Assert.All(shrunk.Decisions, d => Assert.True(d.NodeId <= shrunk.Voters || d.NodeId >= ScheduleChoice.ClientLaneBase, d.ToString()));
        Assert.Equal(bug.ExpectedViolation, shrunk.Explorer.RunOnce(finding.Seed, shrunk.Decisions).Outcome.ViolationName);
        Assert.NotEqual(bug.ExpectedViolation, explorer.RunOnce(finding.Seed, []).Outcome.ViolationName);
    }
}
