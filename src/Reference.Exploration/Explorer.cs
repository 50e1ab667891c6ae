using System.Diagnostics;
using Reference.Exploration.Strategies;
using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Traces;
using Reference.Simulation.Workload.Data;
using Reference.Spec;

namespace Reference.Exploration;

/// <summary>A violation an iteration found, with the decisions that led to it (what the shrinker and the trace need).</summary>
public sealed record ExplorationFinding(int Iteration, ulong Seed, string Strategy, SimulationOutcome Outcome, IReadOnlyList<ScheduleChoice> Decisions);

/// <summary>What a campaign did.</summary>
public sealed record ExplorationReport(string Strategy, int Iterations, long Steps, int DistinctStates, int FairSchedules, int Violations,
    ExplorationFinding? FirstFinding, TimeSpan Elapsed)
{
    public double IterationsPerSecond => Elapsed.TotalSeconds > 0 ? Iterations / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Runs a strategy over iterations of one cluster: each iteration is a fresh <see cref="SimulatedCluster"/>
/// in explored mode (<see cref="ExplorationControl"/>) with the real nodes, spec/'s safety monitors after
/// every event and, when the options give a fair suffix, spec/'s liveness monitors there. Every choice is
/// recorded, so a finding can be re-run (<see cref="RunOnce"/>), shrunk and written as a trace.
/// </summary>
public sealed class Explorer(ExplorationOptions options, NodeImplementation? node = null)
{
    private readonly NodeImplementation _node = node ?? SimulatedCluster.DefaultNode ?? throw new InvalidOperationException("no node implementation registered");

    /// <summary>The campaign's settings.</summary>
    public ExplorationOptions Options => options;

    /// <summary>The same node implementation under other settings (the shrinker's smaller clusters).</summary>
    public Explorer With(ExplorationOptions other) => new(other, _node);

    /// <summary>The seed iteration <paramref name="iteration"/> runs its cluster with.</summary>
    public ulong SeedOf(int iteration) => options.Seed + (ulong)iteration;

    /// <summary>Runs up to <see cref="ExplorationOptions.Iterations"/> iterations; <paramref name="progress"/> hears after each one.</summary>
    public ExplorationReport Run(IExplorationStrategy strategy, Action<int, ExplorationReport>? progress = null)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var recorder = new RecordingChooser(strategy);
        var states = new HashSet<ulong>();
        int iterations = 0, fair = 0, violations = 0;
        long steps = 0;
        ExplorationFinding? first = null;
        for (int iteration = 0; iteration < options.Iterations && strategy.BeginIteration(iteration); iteration++)
        {
            recorder.Reset(options.CountStates ? states : null);
            // DFS and coverage-guided search replay prefixes of earlier schedules: every iteration must start from the same cluster, so the same seed.
            ulong seed = strategy.RunsOneCluster ? options.Seed : SeedOf(iteration);
            SimulationResult result = RunIteration(recorder, seed, trace: null);
            iterations++;
            steps += result.ExplorationSteps;
            if (result.FairSuffixCompleted) fair++;
            if (!result.Outcome.IsOk)
            {
                violations++;
                first ??= new ExplorationFinding(iteration, seed, CurrentName(strategy), result.Outcome, recorder.Decisions.ToList());
            }
            progress?.Invoke(iteration, Report());
            if (first is not null && options.StopAtFirstViolation) break;
        }
        return Report();

        ExplorationReport Report() => new(strategy.Name, iterations, steps, strategy is DfsStrategy dfs ? dfs.StatesVisited : states.Count, fair, violations, first, clock.Elapsed);
    }

    /// <summary>Re-runs one schedule (a decision list) on a seed, optionally writing its trace.</summary>
    public SimulationResult RunOnce(ulong seed, IReadOnlyList<ScheduleChoice> decisions, TraceWriter? trace = null)
    {
        var guided = new GuidedStrategy(decisions);
        guided.BeginIteration(0);
        return RunIteration(guided, seed, trace);
    }

    internal SimulationResult RunIteration(IScheduleChooser chooser, ulong seed, TraceWriter? trace)
    {
        var simulation = new SimulationOptions
        {
            Seed = seed,
            Voters = options.Voters,
            Faults = FaultSpec.None,
            DurationMs = long.MaxValue / 4,
            Bugs = options.Bugs,
            MetadataMaxIdleIntervalMs = options.MetadataMaxIdleIntervalMs,
        };
        var control = new ExplorationControl
        {
            Chooser = chooser,
            StepsMax = options.StepsMax,
            CrashesMax = options.CrashesMax,
            WipesMax = options.WipesMax,
            KillsMax = options.KillsMax,
            IsolationsMax = options.IsolationsMax,
            IsolationMs = options.IsolationMs,
            DropsMax = options.DropsMax,
            PartitionsMax = options.PartitionsMax,
            FairSuffixMs = options.FairSuffixMs,
            HotMsMax = options.HotMsMax,
            Liveness = options.FairSuffixMs > 0 ? SpecMonitors.Liveness() : [],
        };
        return new SimulatedCluster(simulation, _node, options.Monitors(), ExplorationWorkloads.Create(options.Workload, DataWorkload(options)), trace, control).Run();
    }

    private static DataWorkloadOptions DataWorkload(ExplorationOptions options)
    {
        var data = new DataWorkloadOptions { ReplicationFactor = options.DataReplicationFactor };
        return options.DataMinInsyncReplicas is int minIsr ? data with { MinInsyncReplicas = minIsr } : data;
    }

    private static string CurrentName(IExplorationStrategy strategy) => strategy is PortfolioStrategy portfolio ? portfolio.CurrentName : strategy.Name;

    /// <summary>Passes choices through and remembers them; also counts the abstract states the iteration passed.</summary>
    internal sealed class RecordingChooser(IExplorationStrategy inner) : IScheduleChooser
    {
        private HashSet<ulong>? _states;

        public List<ScheduleChoice> Decisions { get; } = [];

        public void Reset(HashSet<ulong>? states)
        {
            Decisions.Clear();
            _states = states;
        }

        public int Choose(ScheduleStep step)
        {
            _states?.Add(StateAbstraction.Hash(step.View, step.PendingDigest));
            int pick = inner.Choose(step);
            if (pick >= 0) Decisions.Add(DecisionMatch.Ranked(step.Choices, pick));
            return pick;
        }
    }
}
