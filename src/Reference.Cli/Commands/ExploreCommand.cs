using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reference.Core.Node;
using Reference.Exploration;
using Reference.Exploration.Museum;
using Reference.Exploration.Shrinking;
using Reference.Exploration.Strategies;
using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Traces;

namespace Reference.Cli.Commands;

/// <summary>
/// `kraft explore`: the systematic explorer (src/Reference.Exploration) over a small cluster of real nodes.
/// Prints a progress line now and then and a summary (iterations and iterations per second, steps, distinct
/// states, fair schedules, violations). A violation is shrunk, its trace written (`--trace` or
/// kraft-explore-NAME.trace) for `kraft replay`, and the exit status is non-zero. `--list-bugs` lists the
/// museum, one name a line.
/// </summary>
public sealed class ExploreCommand : ICliVerb
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    private readonly Option<string> _strategy = new("--strategy")
    {
        Description = $"How schedules are chosen: {string.Join(", ", StrategyCatalog.Names)} (timely: the simulator's own order, the fault budget spent at random steps; coverage: schedules kept by the log shapes they first reach, and built on).",
        DefaultValueFactory = _ => "portfolio",
    };
    private readonly Option<int> _iterations = new("--iterations") { Description = "Iterations (runs from the cluster's start) at most.", DefaultValueFactory = _ => 1_000 };
    private readonly Option<int> _maxSteps = new("--max-steps") { Description = "Scheduling choices per iteration.", DefaultValueFactory = _ => 200 };
    private readonly Option<int> _voters = new("--voters") { Description = "KRaft voters, 1 to 7.", DefaultValueFactory = _ => 3 };
    private readonly Option<ulong> _seed = new("--seed") { Description = "The campaign's seed (iteration i runs seed+i).", DefaultValueFactory = _ => 1UL };
    private readonly Option<int> _crashes = new("--crashes") { Description = "Fault budget: crashes per iteration.", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _wipes = new("--wipes") { Description = "Fault budget: crashes per iteration whose node restarts on an empty, re-formatted disk.", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _kills = new("--kills")
    {
        Description = "Fault budget: processes killed per iteration (kill -9: the node restarts keeping what it wrote, flushed or not).",
        DefaultValueFactory = _ => 0,
    };
    private readonly Option<int> _isolations = new("--isolations")
    {
        Description = "Fault budget: nodes isolated per iteration (every link cut for --isolate-for, then healed; fewer than half the voters at once).",
        DefaultValueFactory = _ => 0,
    };
    private readonly Option<string> _isolateFor = new("--isolate-for") { Description = "How long an isolation lasts (virtual time, e.g. 15s).", DefaultValueFactory = _ => "15s" };
    private readonly Option<short?> _replicationFactor = new("--replication-factor")
    {
        Description = "The data topic's replication factor with --workload data or all (default min(3, voters)).",
    };
    private readonly Option<int?> _minInsyncReplicas = new("--min-insync-replicas")
    {
        Description = "The data topic's min.insync.replicas with --workload data or all (default 2).",
    };
    private readonly Option<int> _drops = new("--drops") { Description = "Fault budget: dropped messages per iteration.", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _partitions = new("--partitions") { Description = "Fault budget: links cut for the rest of an iteration (a majority stays connected).", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _changePoints = new("--pct-change-points") { Description = "PCT's priority change points.", DefaultValueFactory = _ => 3 };
    private readonly Option<string> _fairSuffix = new("--fair-suffix")
    {
        Description = "Virtual time of the fair, fault-free suffix each iteration ends with, where liveness is judged (0 for none): 20s.",
        DefaultValueFactory = _ => "0",
    };
    private readonly Option<int?> _metadataIdle = new("--metadata-idle-interval-ms")
    {
        Description = "Every node's metadata.max.idle.interval.ms (0: no idle NoOp records); Kafka's 500 when not given. The trace records it.",
    };
    private readonly Option<string> _bug = new("--bug") { Description = "Switch on a museum bug (see --list-bugs) in every node." };
    private readonly Option<string> _trace = new("--trace") { Description = "Write the shrunk trace of a violation here." };
    private readonly Option<string?> _workload = new("--workload")
    {
        Description = "The clients: none (elections and fetches only), metadata (topic creation on the controllers; the default), " +
            "data (producers with acks 1 or all, a consumer and offset commits, judged by the data checks; produce is taken too), or all (both).",
    };
    private readonly Option<bool> _noWorkload = CommonOptions.Flag("--no-workload", "The same as --workload none.");
    private readonly Option<bool> _countStates = CommonOptions.Flag("--count-states", "Hash every step's abstract state to report distinct states.");
    private readonly Option<bool> _listBugs = CommonOptions.Flag("--list-bugs", "List the museum's bugs, one name a line, and exit.");

    public Command Build(CliConsole console)
    {
        var command = new Command("explore", "Explore schedules of a small cluster systematically (random walk, PCT, DFS, portfolio, timely, coverage-guided), with faults as choices.")
        {
            _strategy, _iterations, _maxSteps, _voters, _seed, _crashes, _wipes, _kills, _drops, _partitions, _isolations, _isolateFor, _changePoints, _fairSuffix, _metadataIdle, _bug, _trace, _workload, _noWorkload, _replicationFactor, _minInsyncReplicas, _countStates, _listBugs,
        };
        command.SetVerbAction(console, (parsed, _) => RunAsync(parsed, console));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parsed, CliConsole console)
    {
        if (parsed.GetValue(_listBugs))
        {
            foreach (MuseumBug bug in BugMuseum.Exhibits) await console.Out.WriteLineAsync(bug.Name);
            return VerbAction.Success;
        }
        if (SimulatedCluster.DefaultNode is not NodeImplementation implementation)
        {
            await console.Error.WriteLineAsync(SimCommand.NoNodeRegistered.Replace("kraft sim:", "kraft explore:", StringComparison.Ordinal));
            return VerbAction.Failure;
        }
        ExplorationOptions options = Options(parsed);
        string strategyName = parsed.GetValue(_strategy) ?? "portfolio";
        if (!StrategyCatalog.Names.Contains(strategyName)) throw new CliUsageException($"--strategy takes one of {string.Join(", ", StrategyCatalog.Names)}, not '{strategyName}'");
        IExplorationStrategy strategy = StrategyCatalog.Create(strategyName, options, parsed.GetValue(_changePoints));
        var explorer = new Explorer(options, implementation);
        var wall = Stopwatch.StartNew();
        TimeSpan lastProgress = TimeSpan.Zero;
        ExplorationReport report = explorer.Run(strategy, (iteration, soFar) =>
        {
            if (wall.Elapsed - lastProgress < ProgressInterval) return;
            lastProgress = wall.Elapsed;
            console.Error.WriteLine(Progress(soFar, options.Iterations));
        });
        await console.Out.WriteAsync(Summary(report, strategy));
        if (report.FirstFinding is not ExplorationFinding finding) return VerbAction.Success;
        await console.Error.WriteLineAsync($"violation in iteration {finding.Iteration} ({finding.Strategy}, seed {finding.Seed}): " +
            $"{finding.Outcome.ViolationName}: {finding.Outcome.Message}");
        string path = parsed.GetValue(_trace) ?? $"kraft-explore-{ReintroducedBugNames.KebabCase(finding.Outcome.ViolationName ?? "violation")}.trace";
        ShrinkResult shrunk = new ScheduleShrinker(explorer).Shrink(finding.Seed, finding.Decisions, finding.Outcome.ViolationName!);
        using (var file = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            shrunk.Explorer.RunOnce(finding.Seed, shrunk.Decisions, new TraceWriter(file));
        await console.Error.WriteLineAsync($"shrunk from {finding.Decisions.Count} decisions on {options.Voters} voters to {shrunk.Decisions.Count} on {shrunk.Voters} in {shrunk.Runs} runs");
        await console.Error.WriteLineAsync($"trace: {path} (reproduce with: kraft replay {path})");
        return VerbAction.Failure;
    }

    private ExplorationOptions Options(ParseResult parsed)
    {
        string suffix = parsed.GetValue(_fairSuffix) ?? "0";
        string isolateFor = parsed.GetValue(_isolateFor) ?? "15s";
        if (!FaultKnob.TryParseMilliseconds(isolateFor, out long isolationMs))
            throw new CliUsageException($"--isolate-for takes a virtual time such as 500ms or 15s, not '{isolateFor}'");
        if (!FaultKnob.TryParseMilliseconds(suffix, out long suffixMs) || suffixMs < 0)
            throw new CliUsageException($"--fair-suffix takes a virtual time such as 0, 500ms or 20s, not '{suffix}'");
        ReintroducedBugs bugs = ReintroducedBugs.None;
        if (parsed.GetValue(_bug) is string name)
        {
            MuseumBug bug = BugMuseum.Find(name) ?? throw new CliUsageException($"--bug: no museum bug '{name}' (see kraft explore --list-bugs)");
            if (!bug.InCore) throw new CliUsageException($"--bug {bug.Name}: this build's core has no such switch yet");
            bugs = bug.Switch;
        }
        var options = new ExplorationOptions
        {
            Seed = parsed.GetValue(_seed),
            Voters = parsed.GetValue(_voters),
            Iterations = parsed.GetValue(_iterations),
            StepsMax = parsed.GetValue(_maxSteps),
            CrashesMax = parsed.GetValue(_crashes),
            WipesMax = parsed.GetValue(_wipes),
            KillsMax = parsed.GetValue(_kills),
            IsolationsMax = parsed.GetValue(_isolations),
            IsolationMs = isolationMs,
            DataReplicationFactor = parsed.GetValue(_replicationFactor),
            DataMinInsyncReplicas = parsed.GetValue(_minInsyncReplicas),
            DropsMax = parsed.GetValue(_drops),
            PartitionsMax = parsed.GetValue(_partitions),
            FairSuffixMs = suffixMs,
            Workload = Workload(parsed),
            CountStates = parsed.GetValue(_countStates),
            Bugs = bugs,
            MetadataMaxIdleIntervalMs = parsed.GetValue(_metadataIdle),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException invalid) when (invalid.ParamName is string option && Flags.TryGetValue(option, out string? flag))
        {
            throw new CliUsageException($"{flag} takes {ExplorationOptions.Expected(option)}, not {invalid.ActualValue}");
        }
        catch (ArgumentOutOfRangeException invalid)
        {
            throw new CliUsageException(invalid.Message.ReplaceLineEndings(" "));
        }
        return options;
    }

    /// <summary>--workload by name; --no-workload is --workload none (and contradicts any other name).</summary>
    private ExplorationWorkload Workload(ParseResult parsed)
    {
        string? name = parsed.GetValue(_workload);
        bool none = parsed.GetValue(_noWorkload);
        if (name is null) return none ? ExplorationWorkload.None : new ExplorationOptions().Workload;
        if (!ExplorationWorkloads.TryParse(name, out ExplorationWorkload workload))
            throw new CliUsageException($"--workload takes one of {string.Join(", ", ExplorationWorkloads.Names)}, not '{name}'");
        if (none && workload != ExplorationWorkload.None) throw new CliUsageException($"--no-workload contradicts --workload {name}");
        return workload;
    }

    /// <summary>The command-line flag behind each option a validation may refuse, so the error names what the user typed.</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        [nameof(ExplorationOptions.Voters)] = "--voters",
        [nameof(ExplorationOptions.Iterations)] = "--iterations",
        [nameof(ExplorationOptions.StepsMax)] = "--max-steps",
        [nameof(ExplorationOptions.CrashesMax)] = "--crashes",
        [nameof(ExplorationOptions.WipesMax)] = "--wipes",
        [nameof(ExplorationOptions.KillsMax)] = "--kills",
        [nameof(ExplorationOptions.DropsMax)] = "--drops",
        [nameof(ExplorationOptions.PartitionsMax)] = "--partitions",
        [nameof(ExplorationOptions.IsolationsMax)] = "--isolations",
        [nameof(ExplorationOptions.FairSuffixMs)] = "--fair-suffix",
        [nameof(ExplorationOptions.DataReplicationFactor)] = "--replication-factor",
        [nameof(ExplorationOptions.DataMinInsyncReplicas)] = "--min-insync-replicas",
        [nameof(ExplorationOptions.MetadataMaxIdleIntervalMs)] = "--metadata-idle-interval-ms",
        [nameof(ExplorationOptions.IsolationMs)] = "--isolate-for",
    };

    private static string Progress(ExplorationReport report, int iterationsMax) => string.Create(CultureInfo.InvariantCulture,
        $"[{Bar(report.Iterations, iterationsMax)}] {report.Iterations}/{iterationsMax} iterations, {report.IterationsPerSecond:F0}/s, {report.Violations} violations");

    private static string Bar(int done, int total)
    {
        const int width = 30;
        int filled = total == 0 ? width : (int)((long)done * width / total);
        return new string('#', filled) + new string('.', width - filled);
    }

    private static string Summary(ExplorationReport report, IExplorationStrategy strategy) => string.Create(CultureInfo.InvariantCulture, $"""
        strategy:        {report.Strategy}
        iterations:      {report.Iterations} in {report.Elapsed.TotalSeconds:F1} s ({report.IterationsPerSecond:F0} per second){(strategy is DfsStrategy { Exhausted: true } ? ", search exhausted" : "")}
        steps:           {report.Steps}
        distinct states: {(report.DistinctStates > 0 ? report.DistinctStates.ToString(CultureInfo.InvariantCulture) : "not counted (--count-states)")}
        fair schedules:  {report.FairSchedules} of {report.Iterations}{(strategy is CoverageGuidedStrategy coverage ? $"\ncoverage:        {coverage.Shapes} log shapes, {coverage.CorpusSize} schedules kept" : "")}
        violations:      {report.Violations}

        """);
}
