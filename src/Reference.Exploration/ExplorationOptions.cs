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

    public void Validate()
    {
        if (Voters is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(Voters), Voters, "1 to 7 voters");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "at least one iteration");
        if (StepsMax < 1) throw new ArgumentOutOfRangeException(nameof(StepsMax), StepsMax, "at least one step");
        if (!Enum.IsDefined(Workload)) throw new ArgumentOutOfRangeException(nameof(Workload), Workload, "no such workload");
        if (DataMinInsyncReplicas is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(DataMinInsyncReplicas), DataMinInsyncReplicas, "1 to 7 replicas");
        if (DataReplicationFactor is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(DataReplicationFactor), DataReplicationFactor, "1 to 7 replicas");
        if (IsolationMs < 1) throw new ArgumentOutOfRangeException(nameof(IsolationMs), IsolationMs, "an isolation lasts at least 1 ms");
        foreach ((string name, long value) in new (string, long)[]
                 {
                     (nameof(CrashesMax), CrashesMax), (nameof(WipesMax), WipesMax), (nameof(KillsMax), KillsMax), (nameof(DropsMax), DropsMax),
                     (nameof(PartitionsMax), PartitionsMax), (nameof(IsolationsMax), IsolationsMax), (nameof(FairSuffixMs), FairSuffixMs),
                 })
            if (value < 0) throw new ArgumentOutOfRangeException(name, value, "fault budgets and the fair suffix are not negative");
        if (MetadataMaxIdleIntervalMs < 0) throw new ArgumentOutOfRangeException(nameof(MetadataMaxIdleIntervalMs), MetadataMaxIdleIntervalMs, "the metadata idle interval is 0 (no NoOps) or positive");
    }
}
