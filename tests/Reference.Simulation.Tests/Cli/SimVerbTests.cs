using System.CommandLine;
using Reference.Cli;
using Reference.Cli.Commands;
using Reference.Simulation.Monitors;
using Reference.Simulation.Tests.Toys;

namespace Reference.Simulation.Tests.Cli;

/// <summary>`kraft sim` and `kraft replay`, run in-process, with toy nodes handed in the way the real Node will be registered.</summary>
public sealed class SimVerbTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kraft-sim-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static async Task<Outcome> Run(ICliVerb verb, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var console = new CliConsole(new StringReader(""), output, error, InputIsTerminal: false);
        var root = new RootCommand { verb.Build(console) };
        int exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new Outcome(exitCode, output.ToString(), error.ToString());
    }

    private static SimCommand Sim(NodeImplementation node, Func<IReadOnlyList<IMonitor>>? monitors = null) =>
        new(() => node, monitors ?? (() => []), () => null);

    [Fact]
    public async Task WithNoNodeRegisteredTheVerbsSaySoAndFail()
    {
        var sim = await Run(new SimCommand(() => null), "sim", "--seed", "1");
        Assert.Equal(1, sim.ExitCode);
        Assert.Contains("no node implementation is registered", sim.Error);
        Assert.Contains("SimulatedCluster.DefaultNode", sim.Error);
        var replay = await Run(new ReplayCommand(() => null), "replay", "whatever.trace");
        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("kraft replay: no node implementation is registered", replay.Error);
    }

    [Fact]
    public async Task TheRegisteredNodeIsTheCoresRealNodeAndAClusterOfItRuns()
    {
        Assert.Equal("Reference.Core.Node", SimulatedCluster.DefaultNode?.Name);
        var sim = await Run(new SimCommand(), "sim", "--seed", "3", "--voters", "3", "--duration", "10s");
        Assert.True(sim.ExitCode == 0, sim.Error + sim.Out);
        Assert.Contains("3 voters", sim.Out);
    }

    [Fact]
    public async Task AnEmptyDiskVoterIsCaughtAndItsTraceRebuildsTheSameBuggyNodes()
    {
        // Voters restarted on empty disks with the directory-id check off (empty-disk-voter): seed 11 is the
        // first of this range to lose committed data (RealNodeSweepTests runs the same faults with the check on).
        string path = Path.Combine(_directory, "empty-disk-voter.trace");
        var sim = await Run(new SimCommand(), "sim", "--seeds", "1..12", "--faults", "all,crash-interval-ms=1s,restart-empty=0.5", "--duration", "30s",
            "--bug", "empty-disk-voter", "--trace", path);
        Assert.True(sim.ExitCode == 1, sim.Out + sim.Error);
        Assert.Contains("violation at seed 11", sim.Error);
        Assert.Contains("\nbugs empty-disk-voter\n", File.ReadAllText(path));

        var replay = await Run(new ReplayCommand(), "replay", path);
        Assert.True(replay.ExitCode == 0, replay.Out + replay.Error);
        Assert.Contains(": identical: ", replay.Out);
    }

    [Fact]
    public async Task TheMetadataIdleIntervalReachesEveryNodeAndItsTraceReplays()
    {
        string path = Path.Combine(_directory, "idle.trace");
        var sim = await Run(new SimCommand(), "sim", "--seed", "3", "--duration", "5s", "--metadata-idle-interval-ms", "0", "--trace", path);
        Assert.True(sim.ExitCode == 0, sim.Out + sim.Error);
        Assert.Contains("\nmetadata-max-idle-interval-ms 0\n", File.ReadAllText(path));
        var replay = await Run(new ReplayCommand(), "replay", path);
        Assert.True(replay.ExitCode == 0, replay.Out + replay.Error);
        Assert.Contains(": identical: ", replay.Out);

        var bad = await Run(new SimCommand(), "sim", "--seed", "3", "--metadata-idle-interval-ms", "-1");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("0 (no idle NoOps) or a positive interval", bad.Error);
        Assert.Single(bad.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task ASweepPrintsASummary()
    {
        var sim = await Run(Sim(PingNode.Implementation), "sim", "--seeds", "1..3", "--faults", "network", "--duration", "5s");
        Assert.True(sim.ExitCode == 0, sim.Error);
        Assert.Contains("kraft sim: seeds 1..3 (3 run), 3 voters, 0 observers, faults network, 5.0 s each", sim.Out);
        Assert.Contains("virtual time: 15.0 s in", sim.Out);
        Assert.Matches(@"events: [0-9,]+ \([0-9,]+ events/s\)", sim.Out);
        Assert.Contains("leader changes: not counted", sim.Out);
        Assert.Contains("workload: none, 0 history entries", sim.Out);
        Assert.Contains("coverage: ", sim.Out);
    }

    [Fact]
    public async Task TheWorkloadIsChosenByNameAndShownWithItsHistorySize()
    {
        NodeImplementation real = SimulatedCluster.DefaultNode!;
        var produce = await Run(Sim(real), "sim", "--seed", "1", "--duration", "5s", "--workload", "produce");
        Assert.True(produce.ExitCode == 0, produce.Error);
        Assert.Matches(@"workload: produce, [1-9][0-9,]* history entries", produce.Out);
        var all = await Run(Sim(real), "sim", "--seed", "1", "--duration", "5s", "--workload", "all");
        Assert.Matches(@"workload: metadata-proposals\+produce, [1-9][0-9,]* history entries", all.Out);
        var bad = await Run(Sim(real), "sim", "--seed", "1", "--workload", "everything");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--workload takes one of metadata, produce, all, not 'everything'", bad.Error);
    }

    [Fact]
    public async Task ASingleSeedWritesItsTraceAndReplaysIdentically()
    {
        string path = Path.Combine(_directory, "one.trace");
        var sim = await Run(Sim(CounterNode.Correct), "sim", "--seed", "7", "--faults", "disk", "--duration", "10s", "--trace", path, "--observers", "1");
        Assert.True(sim.ExitCode == 0, sim.Error);
        Assert.StartsWith("kraft-simulation-trace 1\n", File.ReadAllText(path));
        var replay = await Run(new ReplayCommand(() => CounterNode.Correct, () => []), "replay", path);
        Assert.True(replay.ExitCode == 0, replay.Out + replay.Error);
        Assert.Contains(": identical: ", replay.Out);
    }

    [Fact]
    public async Task AViolationFailsWithTheSeedAndATraceThatReplaysToIt()
    {
        string path = Path.Combine(_directory, "caught.trace");
        var sim = await Run(Sim(TokenNode.ReclaimsOnFailure, () => [new SingleTokenHolder()]),
            "sim", "--seeds", "1..50", "--faults", "loss=0.05", "--duration", "20s", "--trace", path);
        Assert.Equal(1, sim.ExitCode);
        Assert.Matches("violation at seed [0-9]+: SingleTokenHolder: n[0-9] and n[0-9] both hold the token", sim.Error);
        Assert.Contains($"trace: {path} (reproduce with: kraft replay {path})", sim.Error);
        var replay = await Run(new ReplayCommand(() => TokenNode.ReclaimsOnFailure, () => [new SingleTokenHolder()]), "replay", path);
        Assert.True(replay.ExitCode == 0, replay.Out + replay.Error);
        Assert.Contains("outcome violation SingleTokenHolder", replay.Out);
    }

    [Fact]
    public async Task AReplayThatDivergesFailsAndShowsTheDifference()
    {
        string path = Path.Combine(_directory, "counter.trace");
        await Run(Sim(CounterNode.Correct), "sim", "--seed", "1", "--duration", "2s", "--trace", path);
        var replay = await Run(new ReplayCommand(() => CounterNode.PromisesBeforeFlush, () => []), "replay", path);
        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("note: the trace was recorded with node 'toy.counter'", replay.Error);
        Assert.Contains("diverged at line", replay.Out);
        Assert.Contains("  expected: wake at=", replay.Out);
        Assert.Contains("  actual:   persist-quorum-state", replay.Out);
    }

    /// <summary>A toy that breaks the rules: state shared between runs through a static field, as a cache or a clock would.</summary>
    private sealed class LeakyNode : Core.Node.INode
    {
        private static long s_steps;

        public static NodeImplementation Implementation { get; } = new("toy.leaky", (_, _, _, _) => new LeakyNode());

        public IReadOnlyList<Core.Node.NodeEffect> Handle(Core.Node.NodeInput input) =>
            [new Core.Node.NodeEffect.WakeAt(input.NowMs + 10 + Interlocked.Increment(ref s_steps) % 7)];
    }

    [Fact]
    public async Task ADeterminismCheckRunsEachSeedTwiceAndCatchesANodeThatIsNot()
    {
        var fine = await Run(Sim(PingNode.Implementation), "sim", "--seeds", "1..2", "--duration", "2s", "--faults", "all", "--check-determinism");
        Assert.True(fine.ExitCode == 0, fine.Error);
        var leaky = await Run(Sim(LeakyNode.Implementation), "sim", "--seed", "1", "--duration", "2s", "--check-determinism");
        Assert.Equal(1, leaky.ExitCode);
        Assert.Contains("seed 1 is not deterministic: two runs wrote different traces", leaky.Error);
    }

    [Theory]
    [InlineData("sim", "--seeds", "5..2")]
    [InlineData("sim", "--seed", "1", "--seeds", "1..2")]
    [InlineData("sim")]
    [InlineData("sim", "--seed", "1", "--faults", "lots")]
    [InlineData("sim", "--seed", "1", "--duration", "soon")]
    [InlineData("sim", "--seed", "1", "--voters", "9")]
    [InlineData("sim", "--seed", "1", "--bug", "vote-without-log")]
    public async Task BadArgumentsAreUsageErrors(params string[] args)
    {
        var sim = await Run(Sim(PingNode.Implementation), args);
        Assert.Equal(1, sim.ExitCode);
        Assert.Contains("(see `kraft sim --help`)", sim.Error);
    }

    [Fact]
    public async Task AnUnknownBugIsOneLineThatListsEveryBugName()
    {
        var sim = await Run(Sim(PingNode.Implementation), "sim", "--seed", "1", "--bug", "no-such-bug");
        Assert.Equal(1, sim.ExitCode);
        Assert.Single(sim.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("unknown bug 'no-such-bug'", sim.Error);
        foreach (Core.Node.ReintroducedBugs bug in Enum.GetValues<Core.Node.ReintroducedBugs>().Where(b => b != Core.Node.ReintroducedBugs.None))
            Assert.Contains(Core.Node.ReintroducedBugNames.Format(bug), sim.Error);
    }

    [Fact]
    public void BugNamesAreTheMembersInKebabCaseAndReadBackAsASet()
    {
        Assert.Equal("vote-without-log-comparison", Core.Node.ReintroducedBugNames.Format(Core.Node.ReintroducedBugs.VoteWithoutLogComparison));
        Assert.Equal("none", Core.Node.ReintroducedBugNames.Format(Core.Node.ReintroducedBugs.None));
        var both = Core.Node.ReintroducedBugs.VoteBeforePersist | Core.Node.ReintroducedBugs.LastReplicaStanding;
        Assert.Equal("vote-before-persist,last-replica-standing", Core.Node.ReintroducedBugNames.Format(both));
        Assert.True(Core.Node.ReintroducedBugNames.TryParse("vote-before-persist,last-replica-standing", out var parsed, out _));
        Assert.Equal(both, parsed);
    }

    [Fact]
    public async Task WithVotesGrantedWithoutComparingLogsTheRealNodesSweepFailsAndItsTraceRebuildsTheSameBuggyNodes()
    {
        string path = Path.Combine(_directory, "mutation.trace");
        var sim = await Run(new SimCommand(), "sim", "--seeds", "1..300", "--faults", "all", "--duration", "10s",
            "--bug", "vote-without-log-comparison", "--trace", path);
        Assert.Equal(1, sim.ExitCode);
        Assert.Contains(", bugs vote-without-log-comparison\n", sim.Out);
        Assert.Matches("violation at seed [0-9]+: ", sim.Error);
        Assert.Contains("\nbugs vote-without-log-comparison\n", File.ReadAllText(path));
        var replay = await Run(new ReplayCommand(), "replay", path);
        Assert.True(replay.ExitCode == 0, replay.Out + replay.Error);
        Assert.Contains(": identical: ", replay.Out);
        Assert.Contains("outcome violation ", replay.Out);
    }
}
