using Reference.Cli;
using Reference.Simulation.Traces;

namespace Reference.Exploration.Tests;

/// <summary>`kraft explore` as a user runs it: the museum's list, a clean campaign's summary, a found bug's exit status and replayable trace.</summary>
public sealed class ExploreCommandTests
{
    internal static async Task<(int ExitCode, string Out, string Error)> Kraft(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int exitCode = await KraftCommandLine.RunAsync(args, new CliConsole(new StringReader(""), output, error, InputIsTerminal: false));
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task ListBugsPrintsTheMuseumOneNameALine()
    {
        (int exitCode, string output, _) = await Kraft("explore", "--list-bugs");
        Assert.Equal(0, exitCode);
        Assert.Equal(Museum.BugMuseum.Exhibits.Select(b => b.Name), output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task ACleanCampaignSucceedsWithItsSummary()
    {
        (int exitCode, string output, _) = await Kraft("explore", "--strategy", "pct", "--iterations", "4", "--max-steps", "60", "--count-states");
        Assert.Equal(0, exitCode);
        Assert.Contains("iterations:      4", output, StringComparison.Ordinal);
        Assert.Contains("violations:      0", output, StringComparison.Ordinal);
        Assert.Contains("per second", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not counted", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACoverageCampaignReportsItsShapesAndTheSchedulesItKept()
    {
        (int exitCode, string output, _) = await Kraft("explore", "--strategy", "coverage", "--iterations", "30", "--max-steps", "150", "--no-workload", "--crashes", "1");
        Assert.Equal(0, exitCode);
        System.Text.RegularExpressions.Match coverage = System.Text.RegularExpressions.Regex.Match(output, @"coverage:\s+(\d+) log shapes, (\d+) schedules kept");
        Assert.True(coverage.Success, output);
        Assert.True(int.Parse(coverage.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 5, output);
        Assert.Equal(coverage.Groups[1].Value, coverage.Groups[2].Value);
    }

    [Fact]
    public async Task AFoundBugFailsAndWritesAShrunkTraceThatReplays()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kraft-explore-test-{Environment.ProcessId}.trace");
        try
        {
            (int exitCode, _, string error) = await Kraft("explore", "--bug", "vote-before-persist", "--strategy", "random", "--iterations", "20",
                "--no-workload", "--drops", "0", "--trace", path);
            Assert.Equal(1, exitCode);
            Assert.Contains("PersistBeforePromise", error, StringComparison.Ordinal);
            Assert.Contains("shrunk from", error, StringComparison.Ordinal);
            Assert.Equal("PersistBeforePromise", TraceReader.ReadFile(path).End!.Outcome.ViolationName);
            // What the kraft executable's Program.cs registers; this assembly has no other reader of the setting.
            Simulation.SimulatedCluster.DefaultMonitors = Spec.SpecMonitors.All;
            (int replayExit, string replayOut, _) = await Kraft("replay", path);
            Assert.Equal(0, replayExit);
            Assert.Contains("identical", replayOut, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task NoWorkloadContradictsAnotherWorkloadInOneLine()
    {
        (int exitCode, _, string error) = await Kraft("explore", "--no-workload", "--workload", "data", "--iterations", "1");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("--no-workload contradicts --workload data", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--strategy", "bfs")]
    [InlineData("--bug", "no-such-bug")]
    [InlineData("--wipes", "-1")]
    [InlineData("--fair-suffix", "soon")]
    [InlineData("--max-steps", "0")]
    [InlineData("--workload", "everything")]
    [InlineData("--replication-factor", "9")]
    [InlineData("--kills", "-1")]
    [InlineData("--isolations", "-1")]
    [InlineData("--isolate-for", "0s")]
    [InlineData("--min-insync-replicas", "0")]
    [InlineData("--voters", "9")]
    public async Task BadArgumentsGetAOneLineMessage(string option, string value)
    {
        (int exitCode, _, string error) = await Kraft("explore", option, value, "--iterations", "1");
        Assert.NotEqual(0, exitCode);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The message names the flag the user typed, not an internal property.
        Assert.Contains(option, error, StringComparison.Ordinal);
    }
}
