using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests.Scenarios;

/// <summary>
/// The Raft state of every node after one event (null for a node that is down), kept only when it differs
/// from the one before, so a scenario can ask who led when and how far the high watermark had come.
/// </summary>
internal sealed record Sample(long NowMs, ReplicaReading?[] Nodes)
{
    /// <summary>The running leader of the highest epoch (a deposed leader that has not heard yet may linger in an older one).</summary>
    public (int Id, int Epoch)? Leader
    {
        get
        {
            (int Id, int Epoch)? best = null;
            for (int i = 0; i < Nodes.Length; i++)
                if (Nodes[i] is { IsLeader: true } r && (best is null || r.Epoch > best.Value.Epoch)) best = (i + 1, r.Epoch);
            return best;
        }
    }

    public int LeaderCount => Nodes.Count(n => n is { IsLeader: true });

    public long MaxHighWatermark => Nodes.Max(n => n?.HighWatermark ?? 0);

    public ReplicaReading? Of(int nodeId) => Nodes[nodeId - 1];
}

/// <summary>Records a <see cref="Sample"/> after each event that changed one; never reports a violation.</summary>
internal sealed class RaftProbe : IMonitor
{
    private readonly List<Sample> _samples = [];

    public string Name => "ScenarioProbe";

    public IReadOnlyList<Sample> Samples => _samples;

    public MonitorViolation? Check(ClusterView view)
    {
        var nodes = new ReplicaReading?[view.Nodes.Count];
        foreach (NodeView node in view.Nodes)
            nodes[node.NodeId - 1] = node.Node is Core.Node.Node real ? ReplicaReading.Of(real.Raft) : null;
        if (_samples.Count == 0 || !_samples[^1].Nodes.AsSpan().SequenceEqual(nodes)) _samples.Add(new Sample(view.NowMs, nodes));
        return null;
    }
}

/// <summary>One run of a scenario with spec/'s monitors and a probe; fails the test on any violation.</summary>
internal sealed class ScenarioRun
{
    public const int Seeds = 20;

    /// <summary>Runs a scenario on every seed and fails with every failing seed's message, not only the first.</summary>
    public static void ForEachSeed(Action<ulong> scenario)
    {
        var failures = new List<string>();
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            try
            {
                scenario(seed);
            }
            catch (Xunit.Sdk.XunitException failure)
            {
                failures.Add(failure.Message.ReplaceLineEndings(" "));
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Seeds} seeds failed:\n{string.Join("\n", failures)}");
    }

    private ScenarioRun(SimulationOptions options, SimulationResult result, IReadOnlyList<Sample> samples, ClusterView view)
    {
        Options = options;
        Result = result;
        Samples = samples;
        View = view;
    }

    /// <summary>The cluster as the run left it: the nodes' cores (for what a <see cref="Sample"/> does not hold) and disks.</summary>
    public ClusterView View { get; }

    public SimulationOptions Options { get; }

    public SimulationResult Result { get; }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Scripted faults only: the seed varies latency, start-up order and every node's election timeouts.</summary>
    public static SimulationOptions Plain(ulong seed, int voters, long durationMs, params ScheduledFault[] faults) => new()
    {
        Seed = seed,
        Voters = voters,
        DurationMs = durationMs,
        Faults = FaultSpec.None,
        ScheduledFaults = faults,
    };

    public static ScenarioRun Of(SimulationOptions options)
    {
        NodeImplementation node = SimulatedCluster.DefaultNode ?? throw new InvalidOperationException("SimulatedCluster.DefaultNode is not the real Node");
        var probe = new RaftProbe();
        IReadOnlyList<IMonitor> monitors = [.. SpecMonitors.All(), probe];
        var cluster = new SimulatedCluster(options, node, monitors, SimulatedCluster.DefaultWorkload());
        SimulationResult result = cluster.Run();
        var run = new ScenarioRun(options, result, probe.Samples, cluster.View);
        Assert.True(result.Outcome.IsOk, $"{run.Describe}: {result.Outcome}");
        Assert.Equal(StopReason.DurationReached, result.Stop);
        return run;
    }

    /// <summary>
    /// Who leads just before <paramref name="atMs"/>, from a run of the same seed cut there. Runs are
    /// deterministic per seed and a scripted fault due at <paramref name="atMs"/> changes nothing before it,
    /// so a scenario can crash or isolate "whoever leads at T" (the simulator has no such fault); the
    /// scenario's own run then checks, through <see cref="LeaderBefore"/>, that its prefix led to the same leader.
    /// </summary>
    public static (int Id, int Epoch) LeaderJustBefore(SimulationOptions options, long atMs)
    {
        ScenarioRun prefix = Of(options with { DurationMs = atMs - 1, ScheduledFaults = options.ScheduledFaults.Where(f => f.AtMs < atMs).ToList() });
        (int, int)? leader = prefix.Samples[^1].Leader;
        Assert.True(leader is not null, $"{prefix.Describe}: no leader by {atMs - 1} ms");
        return leader.Value;
    }

    public string Describe => $"seed {Options.Seed} ({Options.Voters} voters, {Options.DurationMs} ms, faults [{string.Join(", ", Options.ScheduledFaults.Select(f => $"{f.AtMs}: {f.Fault}"))}])";

    /// <summary>The state after the last event strictly before <paramref name="atMs"/>.</summary>
    public Sample Before(long atMs) => Samples.Last(s => s.NowMs < atMs);

    public Sample Final => Samples[^1];

    public (int Id, int Epoch)? LeaderBefore(long atMs) => Before(atMs).Leader;

    /// <summary>The first state at or after <paramref name="fromMs"/> where a leader of an epoch above <paramref name="aboveEpoch"/> runs.</summary>
    public (long AtMs, int Id, int Epoch)? FirstLeaderAfter(long fromMs, int aboveEpoch = -1)
    {
        foreach (Sample s in Samples)
            if (s.NowMs >= fromMs && s.Leader is { } l && l.Epoch > aboveEpoch) return (s.NowMs, l.Id, l.Epoch);
        return null;
    }

    /// <summary>The highest high watermark any running node knew before <paramref name="atMs"/>.</summary>
    public long HighWatermarkBefore(long atMs) => Samples.Where(s => s.NowMs < atMs).Select(s => s.MaxHighWatermark).DefaultIfEmpty(0).Max();
}
