using Reference.Core.Node;
using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;
using Reference.Spec.Data;

namespace Reference.Spec.Tests.Data;

/// <summary>
/// The data workload against the real Node under faults, with every monitor on: no violation, and each data
/// check got to compare something (its goals), so a green sweep is not a vacuous one.
/// </summary>
public sealed class DataChecksOnTheRealNodeTests
{
    private const int SeedCount = 25;

    /// <summary>
    /// The data topic at one replica: these runs exercise the checks' excuse (every disk that held a write
    /// lost it), which one crashed leader can take at one replica. RealNodeSweepTests runs it at three.
    /// </summary>
    private static readonly DataWorkloadOptions OneReplica = new() { ReplicationFactor = 1 };

    private static NodeImplementation RealNode => RealNodeSweepTests.RealNode;

    private static CoverageTally Sweep(string faults, Func<NodeConfig, NodeConfig> configure, int seedCount = SeedCount)
    {
        Assert.True(FaultSpec.TryParse(faults, out FaultSpec spec, out string? error), error);
        var tally = new CoverageTally();
        for (ulong seed = 1; seed <= (ulong)seedCount; seed++)
        {
            var options = new SimulationOptions { Seed = seed, Voters = 3, DurationMs = 10_000, Faults = spec, ConfigureNode = configure };
            SimulationResult result = new SimulatedCluster(options, RealNode, SpecMonitors.All(), Workloads.Create(Workloads.Produce, OneReplica)).Run();
            Assert.True(result.Outcome.IsOk, $"seed {seed} (faults {faults}, 3 voters, 10 s, produce): {result.Outcome}");
            tally.Add(result.Coverage);
        }
        return tally;
    }

    private static long RunsReached(CoverageTally tally, string goal) => tally.Goals.FirstOrDefault(g => g.Goal == goal).RunsReached;

    [Fact]
    public void UnderAllFaultsEveryDataCheckComparesAndNoneFails()
    {
        // One __consumer_offsets replica: without follower replication a commit to three would time out.
        CoverageTally tally = Sweep("all", config => config with { OffsetsTopicReplicationFactor = 1 });
        Assert.True(RunsReached(tally, DataGoals.AcknowledgedWriteReadBack) >= SeedCount / 2, $"acknowledged writes were read back in only {RunsReached(tally, DataGoals.AcknowledgedWriteReadBack)} runs; commits in {RunsReached(tally, DataGoals.CommitReadBack)}; idempotent {RunsReached(tally, DataGoals.IdempotentWriteReadBack)}");
        Assert.True(RunsReached(tally, DataGoals.IdempotentWriteReadBack) > 0, "no idempotent write was read");
        Assert.True(RunsReached(tally, DataGoals.CommitReadBack) >= SeedCount / 2, "commits were seldom read back");
    }

    [Fact]
    public void WithFlushBeforeAcknowledgeNoAcknowledgedWriteIsExcusedByACrash()
    {
        CoverageTally tally = Sweep("all,crash-interval-ms=1s",
            config => config with { OffsetsTopicReplicationFactor = 1, FlushBeforeAcknowledge = true });
        Assert.True(RunsReached(tally, DataGoals.AcknowledgedWriteReadBack) > 0, "no acknowledged write was read back");
        Assert.Equal(0, RunsReached(tally, DataGoals.AcknowledgedWriteLostToCrash));
    }

    [Fact]
    public void WithoutFlushBeforeAcknowledgeCrashesMayTakeAcknowledgedWritesAndTheCheckExcusesOnlyThose()
    {
        // A loss needs a leader crash with acknowledged data unflushed and a re-read after it: rarer, so more seeds.
        // A restarted broker serves again only once it registered, which waits for its old session to run out
        // (Kafka's DUPLICATE_BROKER_REGISTRATION): a short session lets that happen well within the 10 s run.
        CoverageTally tally = Sweep("all,crash-interval-ms=1s",
            config => config with { OffsetsTopicReplicationFactor = 1, BrokerSessionTimeoutMs = 2_000, BrokerHeartbeatIntervalMs = 500 }, seedCount: 40);
        Assert.True(tally.Goals.Count > 0);
        Assert.True(RunsReached(tally, DataGoals.AcknowledgedWriteReadBack) > 0, "no acknowledged write was read back");
        Assert.True(RunsReached(tally, DataGoals.AcknowledgedWriteLostToCrash) > 0,
            "no run lost an acknowledged write to a crash: the excuse the check grants is never exercised");
    }
}
