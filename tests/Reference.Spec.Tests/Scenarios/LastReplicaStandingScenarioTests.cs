using Reference.Core;
using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Workload.Data;

namespace Reference.Spec.Tests.Scenarios;

/// <summary>
/// KIP-966's "last replica standing" on the simulated cluster with every monitor on: five voters, the data
/// topic at three replicas and min.insync.replicas 2 (the workload's default). Once acknowledged writes are
/// in, the two followers of partition 0 are isolated (they are fenced and leave the ISR, keeping what they
/// hold; the other three voters keep the quorum), then a power cut on the partition's leader takes its
/// unflushed log, and it restarts.
/// With eligible leader replicas the follower that left last waits in the ELR and leads once the cut heals;
/// with <see cref="ReintroducedBugs.LastReplicaStanding"/> (Kafka 3.9) the restarted leader is the ISR's last
/// member and leads again, and the data checks report the writes the followers held as lost (a lost
/// acknowledged write, or its offset read again with another value). On this build every seed below shows it.
/// </summary>
public sealed class LastReplicaStandingScenarioTests
{
    private const long CutAtMs = 15_000;
    private const long CrashAtMs = CutAtMs + 14_000; // past the session timeout (9 s) and a heartbeat: both followers fenced
    private const long HealAtMs = CutAtMs + 40_000;
    private const long DurationMs = HealAtMs + 40_000;
    private static readonly ulong[] Seeds = [1, 2, 3, 4];

    private static SimulationOptions Scenario(ulong seed, ReintroducedBugs bugs)
    {
        var plain = new SimulationOptions { Seed = seed, Voters = 5, DurationMs = CutAtMs - 1, Bugs = bugs };
        PartitionRegistration partition = PartitionZeroAt(plain);
        int leader = partition.Leader;
        int[] followers = [.. partition.Replicas.Where(id => id != leader)];
        List<ScheduledFault> faults = [.. followers.Select(f => new ScheduledFault(CutAtMs, new ClusterFault.Isolate(f, HealAtMs - CutAtMs)))];
        faults.Add(new ScheduledFault(CrashAtMs, new ClusterFault.Crash(leader, RestartAfterMs: 3_000)));
        return plain with { DurationMs = DurationMs, ScheduledFaults = faults };
    }

    /// <summary>Partition 0 of the data topic as the cluster's metadata has it just before the cut (runs are deterministic per seed).</summary>
    private static PartitionRegistration PartitionZeroAt(SimulationOptions prefix)
    {
        var cluster = new SimulatedCluster(prefix, SimulatedCluster.DefaultNode!, [], SimulatedCluster.DefaultWorkload());
        cluster.Run();
        PartitionRegistration? partition = cluster.View.Nodes.Select(n => (n.Node as Core.Node.Node)?.Metadata.Partition(new TopicPartition(DataOperation.Topic, 0)))
            .FirstOrDefault(p => p is { HasLeader: true, Replicas.Length: 3 });
        Assert.True(partition is not null, $"seed {prefix.Seed}: partition 0 has no leader by {prefix.DurationMs} ms");
        return partition;
    }

    private static SimulationResult Run(SimulationOptions options) =>
        new SimulatedCluster(options, SimulatedCluster.DefaultNode!, SpecMonitors.All(), SimulatedCluster.DefaultWorkload()).Run();

    [Fact]
    public void WithEligibleLeaderReplicasNoAcknowledgedWriteIsLost()
    {
        foreach (ulong seed in Seeds)
        {
            SimulationResult result = Run(Scenario(seed, ReintroducedBugs.None));
            Assert.True(result.Outcome.IsOk, $"seed {seed}: {result.Outcome}");
        }
    }

    [Fact]
    public void WithoutThemTheRestartedLastIsrMemberLosesAcknowledgedWrites()
    {
        var caught = new List<string>();
        foreach (ulong seed in Seeds)
        {
            SimulationResult result = Run(Scenario(seed, ReintroducedBugs.LastReplicaStanding));
            if (!result.Outcome.IsOk) caught.Add($"seed {seed}: {result.Outcome}");
        }
        // Caught as a lost acknowledged write, or as its offset read again with another value: whichever check reads first.
        Assert.Equal(Seeds.Length, caught.Count);
        Assert.All(caught, c => Assert.Matches("AcknowledgedWritesSurvive|OffsetsUniqueAndMonotonic", c));
    }
}
