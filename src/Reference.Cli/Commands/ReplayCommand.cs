using System.CommandLine;
using Reference.Simulation;
using Reference.Simulation.Monitors;
using Reference.Simulation.Traces;

namespace Reference.Cli.Commands;

/// <summary>
/// `kraft replay FILE`: re-runs a trace's inputs through fresh nodes and reports "identical" or the first
/// divergence (expected against actual effect). Exits 0 only when every effect and the outcome are as
/// recorded. The nodes come from <see cref="SimulatedCluster.DefaultNode"/> (or the implementation a test
/// hands in), the monitors from <see cref="SimulatedCluster.DefaultMonitors"/>.
/// </summary>
public sealed class ReplayCommand(Func<NodeImplementation?>? node = null, Func<IReadOnlyList<IMonitor>>? monitors = null) : ICliVerb
{
    private readonly Argument<string> _file = new("FILE") { Description = "The trace to replay (as `kraft sim --trace` writes it)." };

    public Command Build(CliConsole console)
    {
        var command = new Command("replay", "Replay a simulation trace and report whether every node did exactly what it records.") { _file };
        command.SetVerbAction(console, (parsed, _) => RunAsync(parsed, console));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parsed, CliConsole console)
    {
        NodeImplementation? implementation = node is null ? SimulatedCluster.DefaultNode : node();
        if (implementation is null)
        {
            await console.Error.WriteLineAsync(SimCommand.NoNodeRegistered.Replace("kraft sim:", "kraft replay:", StringComparison.Ordinal));
            return VerbAction.Failure;
        }
        string path = parsed.GetRequiredValue(_file);
        TraceDocument trace;
        try
        {
            trace = TraceReader.ReadFile(path);
        }
        catch (Exception unreadable) when (unreadable is TraceFormatException or IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read the trace {path}: {unreadable.Message}");
        }
        IReadOnlyList<IMonitor> checking = (monitors ?? SimulatedCluster.DefaultMonitors)();
        await WarnAboutDifferences(trace.Header, implementation, checking, console);
        ReplayResult result = new TraceReplayer(implementation, checking).Replay(trace);
        await console.Out.WriteLineAsync($"{path}: {result}");
        return result.IsIdentical ? VerbAction.Success : VerbAction.Failure;
    }

    private static async Task WarnAboutDifferences(TraceHeader header, NodeImplementation implementation, IReadOnlyList<IMonitor> checking, CliConsole console)
    {
        if (header.NodeImplementation != implementation.Name)
            await console.Error.WriteLineAsync($"note: the trace was recorded with node '{header.NodeImplementation}', replaying with '{implementation.Name}'");
        if (header.Build != SimulatedCluster.BuildVersion)
            await console.Error.WriteLineAsync($"note: the trace was recorded by build {header.Build}, this is {SimulatedCluster.BuildVersion}");
        List<string> missing = header.Monitors.Except(checking.Select(m => m.Name)).ToList();
        if (missing.Count > 0) await console.Error.WriteLineAsync($"note: monitors of the run not checked now: {string.Join(", ", missing)}");
    }
}
