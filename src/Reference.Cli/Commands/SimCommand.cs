using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reference.Core.Node;
using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Traces;
using Reference.Simulation.Workload;

namespace Reference.Cli.Commands;

/// <summary>
/// `kraft sim`: runs the deterministic simulator over one seed or a range of seeds and says what it found.
/// A violation stops the sweep, writes that seed's trace and exits non-zero with the seed and the trace's
/// path, so `kraft replay PATH` reproduces it. The nodes come from <see cref="SimulatedCluster.DefaultNode"/>
/// (or the implementation a test hands in); with none registered the verb says so and fails.
/// </summary>
public sealed class SimCommand(Func<NodeImplementation?>? node = null, Func<IReadOnlyList<IMonitor>>? monitors = null,
    Func<IWorkload?>? workload = null) : ICliVerb
{
    /// <summary>Seeds in one sweep at most.</summary>
    public const long SeedsPerSweepMax = 100_000_000;

    /// <summary>How often a sweep prints its progress line, in wall-clock time (outside the simulation loop).</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    private readonly Option<ulong?> _seed = new("--seed") { Description = "Run this one seed." };
    private readonly Option<string> _seeds = new("--seeds") { Description = "Run every seed in A..B (inclusive); stop at the first violation." };
    private readonly Option<int> _voters = new("--voters") { Description = "KRaft voters (combined broker and controller), 1 to 7.", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _observers = new("--observers") { Description = "Broker-only nodes that follow the metadata log.", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _faults = new("--faults")
    {
        Description = "A profile (none, network, disk, process, all), knob=value pairs, or both: 'all,loss=0.01,crash-interval-ms=5s'. " +
            "Each seed draws its own mix from the profile.",
        DefaultValueFactory = _ => "none",
    };
    private readonly Option<string> _duration = new("--duration") { Description = "Virtual time per seed: 500ms, 60s, 5m.", DefaultValueFactory = _ => "60s" };
    private readonly Option<string> _trace = new("--trace") { Description = "Write the trace here (for a sweep: the failing seed's trace)." };
    private readonly Option<string> _bug = new("--bug")
    {
        Description = "Switch historical flaws back on in every node, for the mutation check: names separated by commas " +
            $"({string.Join(", ", ReintroducedBugNames.All.Select(entry => entry.Name))}). The trace records them.",
    };
    private readonly Option<string?> _workload = new("--workload")
    {
        Description = "The clients: metadata (topic creation on the controllers), produce (producers, a consumer and offset commits), " +
            "or all (both; the default).",
    };
    private readonly Option<long?> _eventsMax = new("--events-max") { Description = "Stop a seed after this many events." };
    private readonly Option<int?> _metadataIdle = new("--metadata-idle-interval-ms")
    {
        Description = "Every node's metadata.max.idle.interval.ms (0: no idle NoOp records); Kafka's 500 when not given. The trace records it.",
    };
    private readonly Option<bool> _checkDeterminism = CommonOptions.Flag("--check-determinism",
        "Run every seed twice and compare digests of the two traces; a difference is a simulator or node bug (no wall clock, threads or hash order may reach a run).");

    public Command Build(CliConsole console)
    {
        var command = new Command("sim", "Simulate a cluster deterministically, with faults, over one seed or a sweep of seeds.")
        {
            _seed, _seeds, _voters, _observers, _faults, _duration, _workload, _trace, _bug, _eventsMax, _metadataIdle, _checkDeterminism,
        };
        command.SetVerbAction(console, (parsed, _) => RunAsync(parsed, console));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parsed, CliConsole console)
    {
        NodeImplementation? implementation = node is null ? SimulatedCluster.DefaultNode : node();
        if (implementation is null)
        {
            await console.Error.WriteLineAsync(NoNodeRegistered);
            return VerbAction.Failure;
        }
        (ulong first, ulong last) = Seeds(parsed);
        SimulationOptions template = Options(parsed);
        Func<IWorkload?> newWorkload = WorkloadFactory(parsed);
        var sweep = new Sweep(first, last, newWorkload()?.Name ?? "none");
        var wall = Stopwatch.StartNew();
        TimeSpan lastProgress = TimeSpan.Zero;
        for (ulong seed = first; ; seed++)
        {
            SimulationOptions options = template with { Seed = seed };
            bool traceThis = first == last && parsed.GetValue(_trace) is not null;
            SimulationResult result = traceThis ? RunWithTrace(options, implementation, newWorkload, parsed.GetValue(_trace)!) : RunOnce(options, implementation, newWorkload, null);
            sweep.Add(result);
            if (parsed.GetValue(_checkDeterminism) && !IsDeterministic(options, implementation, newWorkload))
            {
                await console.Out.WriteAsync(sweep.Summary(template, wall.Elapsed));
                await console.Error.WriteLineAsync($"seed {seed} is not deterministic: two runs wrote different traces. " +
                    $"Write both with --seed {seed} --trace and diff them to see where they part.");
                return VerbAction.Failure;
            }
            if (!result.Outcome.IsOk)
            {
                string path = traceThis ? parsed.GetValue(_trace)! : parsed.GetValue(_trace) ?? $"kraft-sim-seed-{seed}.trace";
                SimulationResult traced = traceThis ? result : RunWithTrace(options, implementation, newWorkload, path);
                await console.Out.WriteAsync(sweep.Summary(template, wall.Elapsed));
                if (traced.Outcome != result.Outcome)
                    await console.Error.WriteLineAsync($"seed {seed} is not deterministic: re-run for its trace, it ended {traced.Outcome}");
                await console.Error.WriteLineAsync($"violation at seed {seed}: {result.Outcome.ViolationName}: {result.Outcome.Message}");
                await console.Error.WriteLineAsync($"trace: {path} (reproduce with: kraft replay {path})");
                return VerbAction.Failure;
            }
            if (seed == last) break;
            if (wall.Elapsed - lastProgress >= ProgressInterval)
            {
                lastProgress = wall.Elapsed;
                await console.Error.WriteLineAsync(sweep.Progress(wall.Elapsed));
            }
        }
        await console.Out.WriteAsync(sweep.Summary(template, wall.Elapsed));
        return VerbAction.Success;
    }

    public const string NoNodeRegistered =
        "kraft sim: no node implementation is registered, so there is nothing to simulate. " +
        "The real Node plugs in at SimulatedCluster.DefaultNode (src/Reference.Simulation/SimulatedCluster.cs).";

    private SimulationResult RunOnce(SimulationOptions options, NodeImplementation implementation, Func<IWorkload?> newWorkload, TraceWriter? trace) =>
        new SimulatedCluster(options, implementation, (monitors ?? SimulatedCluster.DefaultMonitors)(), newWorkload(), trace).Run();

    /// <summary>--workload by name, else the workload a test handed in, else the simulator's default.</summary>
    private Func<IWorkload?> WorkloadFactory(ParseResult parsed)
    {
        string? name = parsed.GetValue(_workload);
        if (name is null) return workload ?? SimulatedCluster.DefaultWorkload;
        if (!Workloads.Names.Contains(name)) throw new CliUsageException($"--workload takes one of {string.Join(", ", Workloads.Names)}, not '{name}'");
        return () => Workloads.Create(name);
    }

    /// <summary>Runs a seed writing its trace to <paramref name="path"/>; the same seed gives the same run, so a failing seed re-run here fails the same way.</summary>
    private SimulationResult RunWithTrace(SimulationOptions options, NodeImplementation implementation, Func<IWorkload?> newWorkload, string path)
    {
        using var file = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return RunOnce(options, implementation, newWorkload, new TraceWriter(file));
    }

    private bool IsDeterministic(SimulationOptions options, NodeImplementation implementation, Func<IWorkload?> newWorkload)
    {
        var first = new TraceDigest();
        var second = new TraceDigest();
        RunOnce(options, implementation, newWorkload, new TraceWriter(first));
        RunOnce(options, implementation, newWorkload, new TraceWriter(second));
        return first.Digest == second.Digest;
    }

    private (ulong First, ulong Last) Seeds(ParseResult parsed)
    {
        ulong? seed = parsed.GetValue(_seed);
        string? seeds = parsed.GetValue(_seeds);
        if (seed is not null == seeds is not null) throw new CliUsageException("give exactly one of --seed N and --seeds A..B");
        if (seed is ulong one) return (one, one);
        string[] bounds = seeds!.Split("..");
        if (bounds.Length != 2 || !ulong.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong first)
            || !ulong.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong last) || last < first)
            throw new CliUsageException($"--seeds takes A..B with A <= B, not '{seeds}'");
        if (last - first >= SeedsPerSweepMax) throw new CliUsageException($"a sweep runs at most {SeedsPerSweepMax} seeds");
        return (first, last);
    }

    private SimulationOptions Options(ParseResult parsed)
    {
        if (!FaultSpec.TryParse(parsed.GetValue(_faults) ?? "none", out FaultSpec faults, out string? error)) throw new CliUsageException($"--faults: {error}");
        string duration = parsed.GetValue(_duration) ?? "60s";
        if (!FaultKnob.TryParseMilliseconds(duration, out long durationMs) || durationMs <= 0)
            throw new CliUsageException($"--duration takes a virtual time such as 500ms, 60s or 5m, not '{duration}'");
        var options = new SimulationOptions
        {
            Seed = 0,
            Voters = parsed.GetValue(_voters),
            Observers = parsed.GetValue(_observers),
            DurationMs = durationMs,
            Faults = faults,
        };
        if (parsed.GetValue(_eventsMax) is long eventsMax) options = options with { EventsMax = eventsMax };
        if (parsed.GetValue(_metadataIdle) is int idleMs) options = options with { MetadataMaxIdleIntervalMs = idleMs };
        if (parsed.GetValue(_bug) is string bugNames)
        {
            if (!ReintroducedBugNames.TryParse(bugNames, out ReintroducedBugs bugs, out string? unknown)) throw new CliUsageException($"--bug: {unknown}");
            options = options with { Bugs = bugs };
        }
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException invalid)
        {
            throw new CliUsageException(invalid.Message.ReplaceLineEndings(" "));
        }
        return options;
    }

    /// <summary>What a sweep has done so far, and its summary.</summary>
    private sealed class Sweep(ulong first, ulong last, string workloadName)
    {
        private readonly CoverageTally _coverage = new();
        private long _seedsRun;
        private long _events;
        private long _inputs;
        private long _virtualMs;
        private long _monitorChecks;
        private long _crashes;
        private long _historyEntries;
        private long? _leaderChanges;
        private int _monitors;
        private StopReason? _lastStop;

        public void Add(SimulationResult result)
        {
            _seedsRun++;
            _events += result.Events;
            _inputs += result.InputsDelivered;
            _virtualMs += result.VirtualTimeMs;
            _monitorChecks += result.MonitorChecks;
            _crashes += result.Crashes;
            _historyEntries += result.HistoryEntries;
            _monitors = result.Monitors;
            _lastStop = result.Stop;
            if (result.LeaderChanges is long changes) _leaderChanges = (_leaderChanges ?? 0) + changes;
            _coverage.Add(result.Coverage);
        }

        public string Progress(TimeSpan wall) =>
            $"seeds {_seedsRun}/{last - first + 1}: {_events:N0} events, {Seconds(_virtualMs)} virtual, {Rate(_events, wall)} events/s";

        public string Summary(SimulationOptions template, TimeSpan wall)
        {
            var text = new StringBuilder();
            string seeds = first == last ? $"seed {first}" : $"seeds {first}..{last} ({_seedsRun} run)";
            text.Append(CultureInfo.InvariantCulture, $"kraft sim: {seeds}, {template.Voters} voters, {template.Observers} observers, faults {template.Faults}, {Seconds(template.DurationMs)} each");
            text.Append(template.Bugs == ReintroducedBugs.None ? "\n" : $", bugs {ReintroducedBugNames.Format(template.Bugs)}\n");
            double speedUp = wall.TotalMilliseconds > 0 ? _virtualMs / wall.TotalMilliseconds : 0;
            text.Append(CultureInfo.InvariantCulture, $"virtual time: {Seconds(_virtualMs)} in {wall.TotalSeconds:0.00} s wall ({speedUp:0.0}x)\n");
            text.Append(CultureInfo.InvariantCulture, $"events: {_events:N0} ({Rate(_events, wall)} events/s), {_inputs:N0} inputs delivered, {_crashes:N0} crashes");
            text.Append(_lastStop == StopReason.EventLimit ? ", stopped at the event limit\n" : "\n");
            text.Append(CultureInfo.InvariantCulture, $"workload: {workloadName}, {_historyEntries:N0} history entries\n");
            text.Append(_leaderChanges is long changes ? $"leader changes: {changes:N0}\n" : $"leader changes: not counted (no monitor counts {CoverageGoals.LeaderChange})\n");
            text.Append(CultureInfo.InvariantCulture, $"invariants: {_monitors} monitors, {_monitorChecks:N0} checks\n");
            List<string> never = _coverage.NeverReached.ToList();
            int goals = _coverage.Goals.Count;
            text.Append(CultureInfo.InvariantCulture, $"coverage: {goals - never.Count}/{goals} goals reached");
            text.Append(never.Count > 0 ? $"; never reached: {string.Join(", ", never)}\n" : "\n");
            return text.ToString();
        }

        private static string Seconds(long milliseconds) => $"{milliseconds / 1000.0:0.0} s";

        private static string Rate(long count, TimeSpan wall) => wall.TotalSeconds > 0 ? $"{count / wall.TotalSeconds:N0}" : "-";
    }
}
