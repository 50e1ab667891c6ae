using Reference.Simulation.Monitors;
using Reference.Spec.Data;
using Reference.Spec.Liveness;
using Reference.Spec.Raft;

namespace Reference.Spec;

/// <summary>
/// The monitors spec/ offers, fresh for each run (they remember the run's history). `kraft sim` and
/// `kraft replay` use <see cref="All"/>, registered as the simulator's default monitors in the CLI's
/// Program.cs; spec/README.md catalogues them.
/// </summary>
public static class SpecMonitors
{
    /// <summary>The Raft safety invariants over <c>__cluster_metadata</c>.</summary>
    public static IReadOnlyList<IMonitor> Raft() =>
    [
        new SingleLeaderPerEpoch(),
        new MonotonicEpoch(),
        new MonotonicHighWatermark(),
        new MajorityReachedHighWatermark(),
        new ConsistentCommittedData(),
        new LeaderCompleteness(),
        new PersistBeforePromise(),
        new SnapshotAtLogStart(),
        new LeaderNeverLoadSnapshot(),
        new LeaderNotDisrupted(),
    ];

    /// <summary>The data plane's checks over the workload's history (Jepsen's Kafka anomalies); quiet when no data workload runs.</summary>
    public static IReadOnlyList<IMonitor> Data() =>
    [
        new AcknowledgedWritesSurvive(),
        new OffsetsUniqueAndMonotonic(),
        new NoDuplicatesWithIdempotence(),
        new CommittedOffsetsNeverRegress(),
    ];

    /// <summary>Every monitor spec/ has.</summary>
    public static IReadOnlyList<IMonitor> All() => [.. Raft(), .. Data()];

    /// <summary>The liveness monitors (hot/cold), judged on the explorer's fair schedules.</summary>
    public static IReadOnlyList<ILivenessMonitor> Liveness() =>
    [
        new EventuallyLeaderElected(),
        new NotStuckInProspective(),
        new ProposalEventuallyCommitted(),
        new EventuallyStableLeader(),
        new FencedBrokerEventuallyUnfenced(),
    ];
}
