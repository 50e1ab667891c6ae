using System.Globalization;
using Reference.Client.Metadata;
using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.Replication;

/// <summary>
/// Real brokers replicating a topic, three combined nodes or two broker-only nodes beside a controller:
/// kcat writes with acks=all, the partition leader is killed with SIGKILL, the controller fences it and
/// elects another ISR member, and kcat reads every acknowledged message back, in order, from a broker
/// that survived.
/// </summary>
public sealed class ReplicatedClusterTests(ITestOutputHelper output)
{
    private const string Topic = "replicated";
    private const int MessageCount = 2_000;

    /// <summary>Fencing takes broker.session.timeout.ms; shortened here (Kafka allows it) so the test stays short.</summary>
    private static readonly string[] FastFailover = ["broker.session.timeout.ms=3000", "broker.heartbeat.interval.ms=500"];

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryAcksAllMessageIsReadFromANewLeaderAfterTheOldOneIsKilled()
    {
        await using KraftCluster cluster = await KraftCluster.StartAsync(3, FastFailover);
        await ReadEverythingAfterKillingTheLeaderAsync(cluster, replicationFactor: 3);
    }

    /// <summary>
    /// Separate roles: one controller-only node and two broker-only nodes, which are no voters, so neither
    /// has a controller listener another could fetch from. Replica fetches go to the leader's registered
    /// inter-broker endpoint instead; an acks=all write is answered once the follower in the ISR has fetched
    /// it, and the survivor of the pair serves all of them after the leader dies. (min.insync.replicas stays
    /// 1: at 2, the lone survivor's high watermark could not advance, as in KIP-966.)
    /// </summary>
    [Fact]
    public async Task BrokerOnlyNodesReplicateToEachOtherOverTheInterBrokerListener()
    {
        await using KraftCluster cluster = await KraftCluster.StartAsync(["controller", "broker", "broker"], FastFailover);
        await ReadEverythingAfterKillingTheLeaderAsync(cluster, replicationFactor: 2);
    }

    /// <summary>Creates the topic, writes with acks=all, kills the partition leader and reads every message from a surviving broker.</summary>
    private async Task ReadEverythingAfterKillingTheLeaderAsync(KraftCluster cluster, int replicationFactor)
    {
        var processes = new List<ChildProcess>();
        KraftBroker entry = cluster.Brokers.First(b => b.Properties.IsBroker);
        try
        {
            ChildProcess create = await RunAsync(processes, ClientCommands.Kraft("topics", "--create", "--topic", Topic, "--partitions", "1",
                "--replication-factor", replicationFactor.ToString(CultureInfo.InvariantCulture), "--bootstrap-server", entry.BootstrapServer));
            Assert.Equal(0, create.ExitCode);
            PartitionMetadata before = await WaitForPartitionAsync(entry, p => p.HasLeader && p.Isr.Count == replicationFactor,
                $"a leader and all {replicationFactor} replicas in sync");

            string messages = string.Concat(Enumerable.Range(0, MessageCount).Select(i => $"m-{i:D5}\n"));
            ChildProcess produce = await RunAsync(processes, ClientCommands.Kcat("-P", "-b", cluster.BootstrapServers, "-t", Topic, "-p", "0",
                "-X", "acks=all"), messages);
            Assert.Equal(0, produce.ExitCode);
            Assert.DoesNotContain(produce.StandardError.Snapshot(), line => line.Contains("fail", StringComparison.OrdinalIgnoreCase));

            int oldLeader = before.LeaderId;
            await cluster[oldLeader].KillAsync();
            KraftBroker survivor = cluster.Brokers.First(b => b.NodeId != oldLeader && b.Properties.IsBroker);
            PartitionMetadata after = await WaitForPartitionAsync(survivor, p => p.HasLeader && p.LeaderId != oldLeader, "a new leader");
            Assert.True(after.LeaderEpoch > before.LeaderEpoch, $"leader epoch {after.LeaderEpoch} after {before.LeaderEpoch}");
            Assert.DoesNotContain(oldLeader, after.Isr);

            // The new leader's HW reaches the end once the other survivor has fetched from it; read when it has.
            var expected = Enumerable.Range(0, MessageCount).Select(i => $"{i} m-{i:D5}").ToList();
            IReadOnlyList<string> consumed = [];
            await Poll.UntilAsync(async () =>
            {
                ChildProcess consume = await RunAsync(processes, ClientCommands.Kcat("-C", "-b", survivor.BootstrapServer, "-t", Topic, "-p", "0",
                    "-o", "beginning", "-e", "-q", "-f", "%o %s\\n"));
                consumed = consume.StandardOutput.Snapshot().Where(line => line.Length > 0).ToList();
                return consume.ExitCode == 0 && consumed.Count >= MessageCount;
            }, Wait, () => $"kcat read {consumed.Count} of {MessageCount} messages from node {survivor.NodeId}");
            Assert.Equal(expected, consumed);
        }
        catch
        {
            foreach (ChildProcess process in processes) output.WriteLine(process.Describe());
            output.WriteLine(cluster.Log());
            throw;
        }
        finally
        {
            foreach (ChildProcess process in processes) await process.DisposeAsync();
        }
    }

    private static async Task<ChildProcess> RunAsync(List<ChildProcess> processes, Command command, string input = "")
    {
        ChildProcess process = ChildProcess.Start(command);
        processes.Add(process);
        await process.WriteInputAndCloseAsync(input);
        await process.WaitForExitAsync(TestSession.CommandTimeout);
        return process;
    }

    private static async Task<PartitionMetadata> WaitForPartitionAsync(KraftBroker broker, Func<PartitionMetadata, bool> isReady, string what)
    {
        var probe = new ClusterProbe(broker.BootstrapServer);
        PartitionMetadata? seen = null;
        await Poll.UntilAsync(async () => (seen = await probe.DescribePartitionAsync(Topic, 0)) is { } p && isReady(p), Wait,
            () => $"{what} on node {broker.NodeId}; last seen: {(seen is null ? "nothing" : $"leader {seen.LeaderId} epoch {seen.LeaderEpoch.ToString(CultureInfo.InvariantCulture)} isr [{string.Join(",", seen.Isr)}]")}");
        return seen!;
    }
}
