using Reference.Simulation.Traces;

namespace Reference.Simulation.Tests.Traces;

/// <summary>
/// <see cref="SimulationOptions.MetadataMaxIdleIntervalMs"/>: applied to every node the simulator builds,
/// recorded in the trace header only when set, and applied again by replay, so a run without the controller's
/// idle NoOps replays identically and the line is what makes it replayable.
/// </summary>
public sealed class MetadataIdleIntervalTraceTests
{
    private static NodeImplementation RealNode => SimulatedCluster.DefaultNode ?? throw new InvalidOperationException("no node registered");

    private static SimulationOptions Options(int? idleMs) => new() { Seed = 3, DurationMs = 6_000, MetadataMaxIdleIntervalMs = idleMs };

    [Fact]
    public void EveryNodeTakesTheInterval()
    {
        Assert.All(SimulatedCluster.BuildConfigs(Options(0)), config => Assert.Equal(0, config.MetadataMaxIdleIntervalMs));
        Assert.All(SimulatedCluster.BuildConfigs(Options(null)), config => Assert.Equal(500, config.MetadataMaxIdleIntervalMs));
    }

    [Fact]
    public void ARunWithoutIdleNoOpsRecordsTheIntervalAndReplaysIdentically()
    {
        SimRun run = SimRun.Of(Options(0), RealNode);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.Contains("\nmetadata-max-idle-interval-ms 0\n", run.Trace);
        Assert.Equal(0, run.Document.Header.MetadataMaxIdleIntervalMs);
        ReplayResult replay = new TraceReplayer(RealNode).Replay(run.Document);
        Assert.True(replay.IsIdentical, replay.ToString());

        // Without the line, replay builds nodes with the default interval and refuses: their configuration differs.
        string withoutLine = run.Trace.Replace("metadata-max-idle-interval-ms 0\n", "", StringComparison.Ordinal);
        ReplayResult refused = new TraceReplayer(RealNode).Replay(TraceReader.Read(new StringReader(withoutLine)));
        Assert.Contains("configuration differs", refused.Problem);
    }

    [Fact]
    public void ARunWithTheDefaultHasNoLineAndTheIdleNoOpsLengthenTheLog()
    {
        SimRun quiet = SimRun.Of(Options(0), RealNode);
        SimRun idle = SimRun.Of(Options(null), RealNode);
        Assert.DoesNotContain("metadata-max-idle-interval-ms", idle.Trace);
        Assert.Null(idle.Document.Header.MetadataMaxIdleIntervalMs);
        // Kafka's 500 ms NoOps (KIP-835) append a batch every half second of an idle cluster; 0 appends none.
        Assert.True(Appends(idle.Trace) > Appends(quiet.Trace) + 5, $"{Appends(idle.Trace)} appends with NoOps, {Appends(quiet.Trace)} without");
    }

    [Fact]
    public void ABadIntervalLineIsAFormatError()
    {
        string trace = SimRun.Of(Options(0), RealNode).Trace.Replace("metadata-max-idle-interval-ms 0\n", "metadata-max-idle-interval-ms -5\n", StringComparison.Ordinal);
        Assert.Throws<TraceFormatException>(() => TraceReader.Read(new StringReader(trace)));
    }

    private static int Appends(string trace) => trace.Split('\n').Count(line => line.Contains("append log=__cluster_metadata-0", StringComparison.Ordinal));
}
