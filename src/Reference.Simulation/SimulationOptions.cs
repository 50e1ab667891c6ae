using Reference.Core.Node;
using Reference.Simulation.Faults;

namespace Reference.Simulation;

/// <summary>A node implementation the simulator can build nodes from, with the name traces record it under.</summary>
public sealed record NodeImplementation(string Name, NodeFactory Create);

/// <summary>
/// One run's settings. Everything random in the run follows from <see cref="Seed"/>; everything else is
/// here, so a seed and these options reproduce a run exactly.
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>The run's one seed: the network, disks, faults, workload and each node's randomness are streams of it.</summary>
    public required ulong Seed { get; init; }

    /// <summary>KRaft voters, ids 1..Voters, each a combined broker and controller. 1 to 7 (Kafka's practical range).</summary>
    public int Voters { get; init; } = 3;

    /// <summary>Broker-only nodes, ids after the voters: they follow the metadata log as observers.</summary>
    public int Observers { get; init; }

    /// <summary>The cluster id every node is formatted with (22 characters of base64, as <c>kafka-storage random-uuid</c> prints).</summary>
    public string ClusterId { get; init; } = "c2ltdWxhdGVkLWNsdXN0ZQ";

    /// <summary>Virtual time the run covers. Kafka's default timeouts are seconds, so a minute sees many elections under faults.</summary>
    public long DurationMs { get; init; } = 60_000;

    /// <summary>The faults to draw from (profile and fixed knobs); each seed draws its own mix.</summary>
    public FaultSpec Faults { get; init; } = FaultSpec.None;

    /// <summary>Events processed at most: a run that reaches it stops (reported, not a violation).</summary>
    public long EventsMax { get; init; } = 50_000_000;

    /// <summary>Events pending at most: more means something schedules without bound, a violation.</summary>
    public int QueuedEventsMax { get; init; } = 1_000_000;

    /// <summary>A workload client gives up on a request after this long (Kafka's request.timeout.ms).</summary>
    public long ClientRequestTimeoutMs { get; init; } = 30_000;

    /// <summary>Nodes start at times drawn in [0, this], so the first election is not a tie every seed.</summary>
    public long StartupSpreadMs { get; init; } = 100;

    /// <summary>
    /// Historical flaws switched back on in every node (the mutation check, the explorer's museum); the
    /// trace header records them so replay builds the same nodes. None by default.
    /// </summary>
    public ReintroducedBugs Bugs { get; init; } = ReintroducedBugs.None;

    /// <summary>
    /// <c>metadata.max.idle.interval.ms</c> for every node, when set (0: no idle NoOp records, Kafka's documented
    /// meaning); null keeps <see cref="NodeConfig"/>'s default of 500 ms. The trace header records it so replay
    /// builds the same nodes. The museum's pre-vote exhibit uses it: KIP-835's NoOps mask that flaw.
    /// </summary>
    public int? MetadataMaxIdleIntervalMs { get; init; }

    /// <summary>Adjusts each node's configuration after the simulator builds it (timeouts, roles, replication).</summary>
    public Func<NodeConfig, NodeConfig>? ConfigureNode { get; init; }

    /// <summary>Faults at chosen times, besides those the profile draws: for scenarios and tests.</summary>
    public IReadOnlyList<ScheduledFault> ScheduledFaults { get; init; } = [];

    public int NodeCount => Voters + Observers;

    public void Validate()
    {
        if (Voters is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(Voters), Voters, "1 to 7 voters");
        if (Observers is < 0 or > 16) throw new ArgumentOutOfRangeException(nameof(Observers), Observers, "0 to 16 observers");
        if (DurationMs <= 0) throw new ArgumentOutOfRangeException(nameof(DurationMs), DurationMs, "a positive duration");
        if (EventsMax <= 0 || QueuedEventsMax <= 0) throw new ArgumentOutOfRangeException(nameof(EventsMax), "positive bounds");
        if (ClientRequestTimeoutMs <= 0 || StartupSpreadMs < 0) throw new ArgumentOutOfRangeException(nameof(ClientRequestTimeoutMs));
        if (MetadataMaxIdleIntervalMs < 0) throw new ArgumentOutOfRangeException(nameof(MetadataMaxIdleIntervalMs), MetadataMaxIdleIntervalMs, "0 (no idle NoOps) or a positive interval");
    }
}
