using Reference.Simulation.Traces;

namespace Reference.Exploration.Tests;

/// <summary>`kraft explore --metadata-idle-interval-ms`: the nodes run without idle NoOps, the trace says so, and `kraft replay` rebuilds the same nodes.</summary>
public sealed class MetadataIdleIntervalCommandTests
{
    [Fact]
    public async Task WithoutNoOpsALateLostFetchShowsThePreVoteFlawAndTheTraceReplays()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kraft-explore-idle-{Environment.ProcessId}.trace");
        try
        {
            (int exitCode, _, string error) = await ExploreCommandTests.Kraft("explore", "--bug", "pre-vote-without-fetch-check", "--metadata-idle-interval-ms", "0", "--strategy", "dfs",
                "--iterations", "20", "--max-steps", "200", "--crashes", "0", "--drops", "1", "--no-workload", "--fair-suffix", "10s", "--trace", path);
            Assert.Equal(1, exitCode);
            Assert.Contains("LeaderNotDisrupted", error, StringComparison.Ordinal);
            TraceDocument trace = TraceReader.ReadFile(path);
            Assert.Equal(0, trace.Header.MetadataMaxIdleIntervalMs);
            // What the kraft executable's Program.cs registers; this assembly has no other reader of the setting.
            Simulation.SimulatedCluster.DefaultMonitors = Spec.SpecMonitors.All;
            (int replayExit, string replayOut, _) = await ExploreCommandTests.Kraft("replay", path);
            Assert.Equal(0, replayExit);
            Assert.Contains("identical", replayOut, StringComparison.Ordinal);
            Assert.Contains("LeaderNotDisrupted", replayOut, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ANegativeIntervalGetsAOneLineMessage()
    {
        (int exitCode, _, string error) = await ExploreCommandTests.Kraft("explore", "--metadata-idle-interval-ms", "-1", "--iterations", "1");
        Assert.NotEqual(0, exitCode);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
