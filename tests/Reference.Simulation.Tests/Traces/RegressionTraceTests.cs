using Reference.Simulation.Monitors;
using Reference.Simulation.Tests.Toys;
using Reference.Simulation.Traces;

namespace Reference.Simulation.Tests.Traces;

/// <summary>
/// Every trace kept in traces/ (plain, or gzip-compressed as <c>.trace.gz</c>) replays identically, with the nodes and monitors it was recorded with: the toys'
/// own, and spec/'s for the real node (what `kraft replay` checks), so a museum trace's violation must recur.
/// </summary>
public sealed class RegressionTraceTests
{
    /// <summary>The toy implementations traces/toys/ may name, with the monitors their runs checked.</summary>
    private static readonly IReadOnlyDictionary<string, (NodeImplementation Node, Func<IReadOnlyList<IMonitor>> Monitors)> Toys =
        new Dictionary<string, (NodeImplementation, Func<IReadOnlyList<IMonitor>>)>
        {
            [TokenNode.ReclaimsOnFailure.Name] = (TokenNode.ReclaimsOnFailure, () => [new SingleTokenHolder()]),
            [TokenNode.Correct.Name] = (TokenNode.Correct, () => [new SingleTokenHolder()]),
            [CounterNode.Correct.Name] = (CounterNode.Correct, () => []),
            [PingNode.Implementation.Name] = (PingNode.Implementation, () => []),
        };

    public static TheoryData<string> TracePaths()
    {
        var data = new TheoryData<string>();
        IEnumerable<string> paths = Directory.EnumerateFiles(TracesDirectory(), "*.trace", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(TracesDirectory(), "*.trace.gz", SearchOption.AllDirectories));
        foreach (string path in paths.Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(TracesDirectory(), path));
        return data;
    }

    [Theory]
    [MemberData(nameof(TracePaths))]
    public void TheTraceReplaysIdentically(string relativePath)
    {
        TraceDocument trace = TraceReader.ReadFile(Path.Combine(TracesDirectory(), relativePath));
        (NodeImplementation node, Func<IReadOnlyList<IMonitor>> monitors) = Toys.TryGetValue(trace.Header.NodeImplementation, out var toy)
            ? toy
            : (SimulatedCluster.DefaultNode ?? throw new InvalidOperationException(
                $"{relativePath} was recorded with node '{trace.Header.NodeImplementation}', which is not registered"), Reference.Spec.SpecMonitors.All);
        ReplayResult replay = new TraceReplayer(node, monitors()).Replay(trace);
        Assert.True(replay.IsIdentical, $"{relativePath}: {replay}");
        Assert.Equal(trace.End!.Outcome, replay.Outcome);
    }

    private static string TracesDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Reference.sln"))) return Path.Combine(directory.FullName, "traces");
        throw new DirectoryNotFoundException("no Reference.sln above the test's directory");
    }
}
