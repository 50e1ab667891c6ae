using System.CommandLine;
using Reference.Cli;
using Reference.Cli.Commands;

namespace Reference.Simulation.Tests.Traces;

/// <summary>
/// A step a crash cuts short is never judged by the monitors with the node still running, in the run or in
/// its replay: the node's memory may be ahead of the effects carried out on its disk, and the next look is
/// at the crash. Seed 397 (5 voters, 2 observers, a crash a second, 30% empty-disk restarts) crashes n1 at
/// 5190 ms after none of a step's effects, a step whose time input had the node append to its metadata log
/// in memory; the replay used to look at that step and report ConsistentCommittedData (47 in memory, 46 on disk).
/// </summary>
public sealed class CrashMidStepReplayTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kraft-crash-mid-step-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int ExitCode, string Out, string Error)> Run(ICliVerb verb, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var root = new RootCommand { verb.Build(new CliConsole(new StringReader(""), output, error, InputIsTerminal: false)) };
        int exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task AStepCutShortByACrashReplaysToTheRunsOutcome()
    {
        string path = Path.Combine(_directory, "seed397.trace");
        var sim = await Run(new SimCommand(monitors: Reference.Spec.SpecMonitors.All), "sim", "--seed", "397", "--voters", "5", "--observers", "2",
            "--faults", "all,crash-interval-ms=1s,restart-empty=0.3", "--duration", "6s", "--trace", path);
        Assert.True(sim.ExitCode == 0, sim.Out + sim.Error);
        Assert.Contains("n1 crash cause=\"crash while carrying out a step\" after-effects=0", File.ReadAllText(path));

        var replay = await Run(new ReplayCommand(monitors: Reference.Spec.SpecMonitors.All), "replay", path);
        Assert.True(replay.ExitCode == 0, replay.Out + replay.Error);
        Assert.Contains(": identical: ", replay.Out);
    }
}
