using Reference.Exploration.Museum;
using Reference.Exploration.Shrinking;
using Reference.Exploration.Strategies;
using Reference.Simulation;
using Reference.Simulation.Traces;
using Reference.Spec;

namespace Reference.Exploration.Tests;

/// <summary>The museum: each bug this core can switch on is found within its budget, shrinks, and its shrunk trace replays to the same violation; with the fixes on, nothing is found.</summary>
public sealed class MuseumTests
{
    /// <summary>The exhibits the explorer finds within their stated budget: all of them (spec/README.md tells each one's story).</summary>
    public static TheoryData<string> FoundExhibits() => ["vote-without-log-comparison", "vote-before-persist", "empty-disk-voter", "unclean-leader-election", "pre-vote-without-fetch-check",
        "last-replica-standing", "commit-prior-epoch-by-counting"];

    [Theory]
    [MemberData(nameof(FoundExhibits))]
    public void TheBugIsFoundWithinItsBudgetAndItsShrunkTraceReplaysToTheSameViolation(string name)
    {
        MuseumBug bug = BugMuseum.Find(name)!;
        Assert.True(bug.InCore);
        var explorer = new Explorer(bug.Options());
        ExplorationReport report = explorer.Run(StrategyCatalog.Create(bug.Strategy, bug.Options()));
        ExplorationFinding finding = report.FirstFinding ?? throw new Xunit.Sdk.XunitException($"{name} not found in {report.Iterations} iterations");
        Assert.Equal(bug.ExpectedViolation, finding.Outcome.ViolationName);

        ShrinkResult shrunk = new ScheduleShrinker(explorer).Shrink(finding.Seed, finding.Decisions, bug.ExpectedViolation);
        Assert.True(shrunk.Decisions.Count <= finding.Decisions.Count);
        Assert.Equal(bug.ExpectedViolation, shrunk.Outcome.ViolationName);

        var text = new StringWriter();
        Assert.True(shrunk.Voters <= bug.Voters);
        shrunk.Explorer.RunOnce(finding.Seed, shrunk.Decisions, new TraceWriter(text));
        TraceDocument trace = TraceReader.Read(new StringReader(text.ToString()));
        Assert.Equal(bug.Switch, trace.Header.Bugs);
        ReplayResult replay = new TraceReplayer(SimulatedCluster.DefaultNode!, SpecMonitors.All()).Replay(trace);
        Assert.True(replay.IsIdentical, replay.ToString());
        Assert.Equal(bug.ExpectedViolation, replay.Outcome.ViolationName);
    }

    [Theory]
    [MemberData(nameof(FoundExhibits))]
    public void WithTheFixInPlaceTheSameBudgetFindsNothing(string name)
    {
        MuseumBug bug = BugMuseum.Find(name)!;
        ExplorationReport report = new Explorer(bug.Options() with { Bugs = Core.Node.ReintroducedBugs.None }).Run(StrategyCatalog.Create(bug.Strategy, bug.Options()));
        Assert.Null(report.FirstFinding);
        Assert.Equal(bug.Iterations, report.Iterations);
    }

    [Fact]
    public void WithEveryFixOnAShortPortfolioRunFindsNothing()
    {
        var options = new ExplorationOptions { Voters = 3, Iterations = 40, StepsMax = 150, CrashesMax = 1, DropsMax = 2 };
        ExplorationReport report = new Explorer(options).Run(PortfolioStrategy.Default(11, options.StepsMax));
        Assert.Null(report.FirstFinding);
    }

    [Fact]
    public void TheMuseumListsEverySwitchByItsKebabCaseName()
    {
        Assert.Equal(Enum.GetValues<Core.Node.ReintroducedBugs>().Where(b => b != Core.Node.ReintroducedBugs.None).Select(Core.Node.ReintroducedBugNames.Format),
            BugMuseum.Exhibits.Select(b => b.Name));
        Assert.Equal("vote-before-persist", BugMuseum.Exhibits[1].Name);
        Assert.Equal("commit-prior-epoch-by-counting", BugMuseum.Find("COMMIT-PRIOR-EPOCH-BY-COUNTING")!.Name);
    }
}
