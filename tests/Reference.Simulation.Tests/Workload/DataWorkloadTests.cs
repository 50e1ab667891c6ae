using Reference.Core.Node;
using Reference.Simulation.Faults;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Simulation.Tests.Workload;

/// <summary>
/// The data workload against the real Node: producers, a consumer and offset commits through the Kafka
/// protocol, recorded in the history. These tests read the history themselves; spec/'s checks over it are
/// tested in tests/Reference.Spec.Tests.
/// </summary>
public sealed class DataWorkloadTests
{
    private static NodeImplementation RealNode => SimulatedCluster.DefaultNode
        ?? throw new InvalidOperationException("SimulatedCluster.DefaultNode is not the real Node");

    /// <summary>
    /// __consumer_offsets with one replica: the data plane has no follower replication yet, so with three a
    /// commit waits for the silent followers to leave the ISR (30 s) and times out first.
    /// </summary>
    private static NodeConfig OneOffsetsReplica(NodeConfig config) => config with { OffsetsTopicReplicationFactor = 1 };

    /// <summary>
    /// The workload's topic at one replica, as these plumbing tests were sized for: with three, the first
    /// seconds go to brokers registering (INVALID_REPLICATION_FACTOR until three are) and the short runs
    /// here would see few sends. The default sweep (RealNodeSweepTests) runs the topic at three replicas.
    /// </summary>
    private static readonly DataWorkloadOptions OneReplica = new() { ReplicationFactor = 1 };

    private static SimRun Run(ulong seed, long durationMs = 15_000, FaultSpec? faults = null, IWorkload? workload = null, long clientTimeoutMs = 30_000) =>
        SimRun.Of(new SimulationOptions
        {
            Seed = seed,
            DurationMs = durationMs,
            Faults = faults ?? FaultSpec.None,
            ConfigureNode = OneOffsetsReplica,
            ClientRequestTimeoutMs = clientTimeoutMs,
        }, RealNode, workload: workload ?? new DataWorkload(OneReplica));

    private static List<(HistoryEntry Entry, DataOperation Operation)> Operations(SimRun run) =>
        run.Cluster.View.History.Entries.Select(e => (e, DataOperation.Parse(e))).Where(p => p.Item2 is not null).Select(p => (p.e, p.Item2!)).ToList();

    [Fact]
    public void ProducersWriteUniqueValuesThatTheConsumerReadsBackAtTheirOffsets()
    {
        SimRun run = Run(1);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        var operations = Operations(run);
        var acknowledged = operations.Where(o => o.Operation.Name == DataOperation.Send && o.Entry.Kind == HistoryKind.Ok).Select(o => o.Operation).ToList();
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} sends acknowledged; {run.Describe}");
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.Value).Distinct().Count());
        var read = operations.Where(o => o.Operation.Name == DataOperation.Poll && o.Entry.Kind == HistoryKind.Ok)
            .SelectMany(o => o.Operation.Records().Select(r => (o.Operation.Partition, r.Offset, r.Value))).ToHashSet();
        // With no faults every acknowledged write is read where its acknowledgement said, except the last few still in flight.
        int missing = acknowledged.Count(a => !read.Contains((a.Partition, a.Offset!.Value, a.Value!)));
        Assert.InRange(missing, 0, 10);
        foreach (HistoryEntry done in run.Cluster.View.History.Entries.Where(e => e.Kind != HistoryKind.Invoke))
            Assert.Contains(run.Cluster.View.History.Entries, e => e.Kind == HistoryKind.Invoke && e.OperationId == done.OperationId && e.ClientId == done.ClientId);
    }

    [Fact]
    public void TheConsumerCommitsItsPositionAndReadsTheCommitBack()
    {
        SimRun run = Run(2);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        var operations = Operations(run);
        var commits = operations.Where(o => o.Operation.Name == DataOperation.Commit && o.Entry.Kind == HistoryKind.Ok).ToList();
        Assert.True(commits.Count > 5, $"{commits.Count} commits acknowledged; {run.Describe}");
        // Each acknowledged commit is what the next OffsetFetch of that partition returns (one consumer, no faults).
        foreach ((HistoryEntry commit, DataOperation committed) in commits)
        {
            (HistoryEntry Entry, DataOperation Operation) next = operations.FirstOrDefault(o => o.Entry.TimeMs >= commit.TimeMs
                && o.Operation.Name == DataOperation.FetchOffset && o.Entry.Kind == HistoryKind.Ok && o.Operation.Partition == committed.Partition);
            if (next.Operation is null) continue;
            Assert.Equal(committed.Offset, next.Operation.Offset);
        }
    }

    [Fact]
    public void EachSeedDrawsItsOwnMixOfIdempotenceAndAcks()
    {
        var mixes = new HashSet<(bool, int)>();
        var sends = new HashSet<(short Acks, bool Idempotent)>();
        for (ulong seed = 1; seed <= 6; seed++)
        {
            var workload = new DataWorkload(OneReplica);
            SimRun run = Run(seed, durationMs: 4_000, workload: workload);
            Assert.True(run.Result.Outcome.IsOk, run.Describe);
            mixes.UnionWith(workload.ProducerMix);
            foreach (var (entry, operation) in Operations(run).Where(o => o.Operation.Name == DataOperation.Send && o.Entry.Kind == HistoryKind.Ok))
                sends.Add((operation.Acks, operation.Idempotent));
        }
        Assert.Contains(mixes, m => m.Item1);
        Assert.Contains(mixes, m => !m.Item1);
        Assert.True(mixes.Select(m => m.Item2).Distinct().Count() >= 2, string.Join(", ", mixes));
        Assert.Equal(4, sends.Count); // acks=1 and acks=all, each with and without idempotence
    }

    [Fact]
    public void SendsWhoseAnswersAreLostAreRetriedOrLeftIndeterminate()
    {
        SimRun run = Run(3, durationMs: 20_000, faults: FaultSpec.None.With(FaultKnob.Loss, 100_000), clientTimeoutMs: 1_000);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        var sends = Operations(run).Where(o => o.Operation.Name == DataOperation.Send).ToList();
        Assert.Contains(sends, s => s.Entry.Kind == HistoryKind.Ok);
        // A send that got no answer may have landed: never "fail" for a timeout, only "info" once its attempts ran out.
        Assert.DoesNotContain(sends, s => s.Entry.Kind == HistoryKind.Fail && s.Operation.Error == "timeout");
        int invoked = sends.Count(s => s.Entry.Kind == HistoryKind.Invoke);
        int completed = sends.Count(s => s.Entry.Kind != HistoryKind.Invoke);
        Assert.InRange(invoked - completed, 0, new DataWorkloadOptions().Producers); // at most one open send per producer
    }

    [Fact]
    public void AllRunsTheMetadataAndDataClientsSideBySideOnSeparateClientIds()
    {
        IWorkload all = Workloads.Create(Workloads.All, OneReplica);
        SimRun run = Run(4, durationMs: 5_000, workload: all);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.Equal("metadata-proposals+produce", all.Name);
        IReadOnlyList<HistoryEntry> history = run.Cluster.View.History.Entries;
        Assert.Contains(history, e => e.Operation == "create-topic" && e.ClientId < CompositeWorkload.ClientIdsPerPart);
        Assert.Contains(history, e => e.Operation == DataOperation.Send && e.ClientId > CompositeWorkload.ClientIdsPerPart);
        Assert.Contains("\nworkload metadata-proposals+produce\n", run.Trace);
    }

    [Fact]
    public void HistoryValuesReadBackAsWritten()
    {
        string value = DataOperation.Format(1, ("from", 5L), ("hw", 9L), ("records", DataOperation.FormatRecords([(5, "c1-3"), (6, "c2-4")])));
        DataOperation? poll = DataOperation.Parse(new HistoryEntry(0, 3, 1, HistoryKind.Ok, DataOperation.Poll, value));
        Assert.NotNull(poll);
        Assert.Equal((1, 5L, 9L), (poll.Partition, poll.From, poll.HighWatermark!.Value));
        Assert.Equal([(5L, "c1-3"), (6L, "c2-4")], poll.Records());
        Assert.Null(DataOperation.Parse(new HistoryEntry(0, 1, 1, HistoryKind.Ok, "create-topic", "p=0")));
        Assert.Throws<ArgumentOutOfRangeException>(() => Workloads.Create("everything"));
    }
}
