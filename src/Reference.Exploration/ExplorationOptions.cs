using Reference.Core.Node;
using Reference.Simulation.Monitors;

namespace Reference.Exploration;

/// <summary>One exploration campaign's settings: the cluster, the bounds, the fault budget and the flaws switched on.</summary>
public sealed record ExplorationOptions
{
    /// <summary>Seeds the cluster (node randomness, latencies) and the strategy; iteration i runs with seed Seed + i.</summary>
    public ulong Seed { get; init; } = 1;

    public int Voters { get; init; } = 3;

    /// <summary>Iterations at most (a DFS may stop earlier, exhausted).</summary>
    public int Iterations { get; init; } = 1_000;

    /// <summary>Scheduling steps per iteration before the fair suffix.</summary>
    public int StepsMax { get; init; } = 200;

    /// <summary>The fault budget: crashes per iteration.</summary>
    public int CrashesMax { get; init; } = 1;

    /// <summary>The fault budget: dropped messages per iteration.</summary>
    public int DropsMax { get; init; } = 2;

    /// <summary>The fault budget: crashes per iteration after which the node restarts on an empty, re-formatted disk (apart from <see cref="CrashesMax"/>).</summary>
    public int WipesMax { get; init; }

    /// <summary>The fault budget: processes killed per iteration (apart from <see cref="CrashesMax"/>); a killed node keeps what it wrote, flushed or not.</summary>
    public int KillsMax { get; init; }

    /// <summary>The fault budget: links cut for the rest of the iteration (a majority always stays connected).</summary>
    public int PartitionsMax { get; init; }

    /// <summary>The fault budget: nodes isolated (every link cut) for <see cref="IsolationMs"/>, then healed; fewer than half the voters at once.</summary>
    public int IsolationsMax { get; init; }

    /// <summary>How long an isolation lasts, in virtual time.</summary>
    public long IsolationMs { get; init; } = 15_000;

    /// <summary>Virtual time of the fair suffix each iteration ends with, where liveness is judged; 0 for none.</summary>
    public long FairSuffixMs { get; init; }

    /// <summary>A liveness monitor hot this long at the end of the fair suffix is a violation.</summary>
    public long HotMsMax { get; init; } = 10_000;

    /// <summary>
    /// The clients each iteration runs: the metadata-proposal clients by default (proposals to commit), the data
    /// plane's producers and consumer (judged by spec/'s data checks, which are among <see cref="Monitors"/>),
    /// both, or none (only elections and fetches happen).
    /// </summary>
    public ExplorationWorkload Workload { get; init; } = ExplorationWorkload.Metadata;

    /// <summary>
    /// The data topic's replication factor when the data workload runs; null for the workload's default,
    /// min(3, nodes). Two on three nodes leaves a node outside each partition, the controller a replica cut
    /// off from its leader can still reach.
    /// </summary>
    public short? DataReplicationFactor { get; init; }

    /// <summary>
    /// The data topic's min.insync.replicas when the data workload runs; null for the workload's default (2).
    /// 1, Kafka's default, is the setting of the 2013 Jepsen loss: the leader alone may acknowledge acks=all.
    /// </summary>
    public int? DataMinInsyncReplicas { get; init; }

    /// <summary>Faults one iteration may inject at most, of every kind.</summary>
    public int FaultBudget => CrashesMax + WipesMax + KillsMax + DropsMax + PartitionsMax + IsolationsMax;

    /// <summary>
    /// <c>metadata.max.idle.interval.ms</c> for every node when set (0: no idle NoOps); null keeps Kafka's 500 ms.
    /// Recorded in the trace header, so a replay builds the same nodes.
    /// </summary>
    public int? MetadataMaxIdleIntervalMs { get; init; }

    /// <summary>Historical flaws switched on in every node (the museum).</summary>
    public ReintroducedBugs Bugs { get; init; } = ReintroducedBugs.None;

    /// <summary>The safety monitors, fresh for each iteration: spec/'s by default.</summary>
    public Func<IReadOnlyList<IMonitor>> Monitors { get; init; } = Spec.SpecMonitors.All;

    /// <summary>Hash every step's abstract state to report distinct states (DFS always does; it costs a little per step).</summary>
    public bool CountStates { get; init; }

    /// <summary>Stop at the first violation (a campaign's usual mode); false counts them all.</summary>
    public bool StopAtFirstViolation { get; init; } = true;

    /// <summary>What an option takes, in the words <see cref="Validate"/>'s refusals use (and `kraft explore` repeats).</summary>
    public static string Expected(string option) => option switch
    {
        nameof(Voters) or nameof(DataReplicationFactor) or nameof(DataMinInsyncReplicas) => "1 to 7",
        nameof(Iterations) or nameof(StepsMax) => "1 or more",
        nameof(IsolationMs) => "at least 1 ms",
        nameof(Workload) => "one of none, metadata, data, all",
        _ => "0 or more",
    };

    public void Validate()
    {
        foreach ((string name, long? value, long min, long max) in new (string, long?, long, long)[]
                 {
                     (nameof(Voters), Voters, 1, 7), (nameof(Iterations), Iterations, 1, long.MaxValue), (nameof(StepsMax), StepsMax, 1, long.MaxValue),
                     (nameof(DataMinInsyncReplicas), DataMinInsyncReplicas, 1, 7), (nameof(DataReplicationFactor), DataReplicationFactor, 1, 7),
                     (nameof(IsolationMs), IsolationMs, 1, long.MaxValue),
                     (nameof(CrashesMax), CrashesMax, 0, long.MaxValue), (nameof(WipesMax), WipesMax, 0, long.MaxValue),
                     (nameof(KillsMax), KillsMax, 0, long.MaxValue), (nameof(DropsMax), DropsMax, 0, long.MaxValue),
                     (nameof(PartitionsMax), PartitionsMax, 0, long.MaxValue), (nameof(IsolationsMax), IsolationsMax, 0, long.MaxValue),
                     (nameof(FairSuffixMs), FairSuffixMs, 0, long.MaxValue), (nameof(MetadataMaxIdleIntervalMs), MetadataMaxIdleIntervalMs, 0, long.MaxValue),
                 })
            if (value < min || value > max) throw new ArgumentOutOfRangeException(name, value, Expected(name));
        if (!Enum.IsDefined(Workload)) throw new ArgumentOutOfRangeException(nameof(Workload), Workload, Expected(nameof(Workload)));
    }
}
