using Reference.Core;
using Reference.Core.Node;
using Reference.Protocol.Records;
using Reference.Simulation.Monitors;
using Reference.Simulation.Storage;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;
using Reference.Spec.Data;

namespace Reference.Spec.Tests.Data;

/// <summary>
/// Each data check is handed a crafted run (history entries and disks) in which its property breaks and must
/// say so; the same run without the break, or with every copy lost to crashes (the guarantee in force), must
/// not.
/// </summary>
public sealed class DataMonitorsCanFailTests
{
    private static readonly TopicPartition P0 = new(DataOperation.Topic, 0);
    private static readonly TopicPartition OffsetsLog = DataObservation.OffsetsLogFor(50);

    /// <summary>A crafted cluster: node disks by id; each step is an event seen by the monitor.</summary>
    private sealed class Run(DataMonitor monitor, params int[] nodeIds)
    {
        private readonly Dictionary<int, MemoryLogStorage> _disks = nodeIds.ToDictionary(id => id, _ => new MemoryLogStorage());
        private long _nowMs;

        public MonitorViolation? Violation { get; private set; }

        public Coverage Coverage { get; } = new();

        public MemoryLogStorage Disk(int nodeId) => _disks[nodeId];

        /// <summary>The group's coordinator in the newest metadata, as the observations report it.</summary>
        public int? Coordinator { get; set; }

        /// <summary>Appends one record a value to the node's log (flushed or not).</summary>
        public Run Append(int nodeId, TopicPartition log, bool flush, params string[] values)
        {
            MemoryLogStorage disk = _disks[nodeId];
            foreach (string value in values)
            {
                long offset = disk.Extent(log).EndOffset;
                byte[] batch = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = offset, PartitionLeaderEpoch = 1 })
                    .Append(0, key: null, value: System.Text.Encoding.UTF8.GetBytes(value)).Build();
                Assert.True(disk.Apply(new NodeEffect.AppendToLog(log, offset, batch)));
            }
            if (flush) disk.Flush(log);
            return this;
        }

        public Run Crash(int nodeId)
        {
            _disks[nodeId].Crash();
            return Observe(new SimulationEvent.NodeCrashed(++_nowMs, nodeId, "crafted"));
        }

        public Run WipeDisk(int nodeId)
        {
            _disks[nodeId] = new MemoryLogStorage();
            return Observe(new SimulationEvent.FaultInjected(++_nowMs, "crafted restart on an empty disk"));
        }

        public Run Record(int client, long operationId, HistoryKind kind, string operation, string value) =>
            Observe(new SimulationEvent.HistoryRecorded(++_nowMs, new HistoryEntry(_nowMs, client, operationId, kind, operation, value)));

        public Run Send(long operationId, string value, long? offset, string acks = "-1", string idempotent = "0", int partition = 0, int? minIsr = null)
        {
            string invocation = $"p={partition} value={value} acks={acks} idempotent={idempotent}" + (minIsr is int m ? $" min-isr={m}" : "");
            Record(1, operationId, HistoryKind.Invoke, DataOperation.Send, invocation);
            return offset is long o ? Record(1, operationId, HistoryKind.Ok, DataOperation.Send, $"{invocation} offset={o}") : this;
        }

        public Run Poll(long operationId, long from, long highWatermark, params (long Offset, string Value)[] records)
        {
            Record(9, operationId, HistoryKind.Invoke, DataOperation.Poll, $"p=0 from={from}");
            return Record(9, operationId, HistoryKind.Ok, DataOperation.Poll,
                $"p=0 from={from} hw={highWatermark} records={DataOperation.FormatRecords(records)}");
        }

        private Run Observe(SimulationEvent happened)
        {
            if (Violation is not null) return this;
            var nodes = _disks.OrderBy(d => d.Key).Select(d => new DataNodeReading(d.Key, d.Value)).ToList();
            Violation = monitor.Check(new DataObservation(_nowMs, happened, nodes, OffsetsLog) { OffsetsCoordinator = Coordinator }, Coverage);
            return this;
        }
    }

    [Fact]
    public void AcknowledgedWritesSurviveFailsWhenAReadFindsAnotherValueAtAnAcknowledgedOffset()
    {
        var run = new Run(new AcknowledgedWritesSurvive(), 1, 2).Append(1, P0, flush: false, "a");
        run.Send(1, "a", offset: 0).Poll(2, 0, 1, (0, "b"));
        Assert.Contains("acknowledged write a", run.Violation?.Message);
    }

    [Fact]
    public void AcknowledgedWritesSurviveFailsWhenAReadSkipsAnAcknowledgedOffset()
    {
        var run = new Run(new AcknowledgedWritesSurvive(), 1).Append(1, P0, flush: true, "a", "b");
        run.Send(1, "b", offset: 1).Poll(2, 0, 3, (0, "a"), (2, "c"));
        Assert.Contains("read no record", run.Violation?.Message);
    }

    [Fact]
    public void AcknowledgedWritesSurviveHoldsWhenTheWriteIsReadBackAndCountsIt()
    {
        var run = new Run(new AcknowledgedWritesSurvive(), 1).Append(1, P0, flush: false, "a");
        run.Send(1, "a", offset: 0).Poll(2, 0, 1, (0, "a"));
        Assert.Null(run.Violation);
        Assert.Equal(1, run.Coverage.Count(DataGoals.AcknowledgedWriteReadBack));
    }

    [Fact]
    public void AcknowledgedWritesSurviveExcusesAWriteEveryHolderLostToACrashButNotOneAHolderKept()
    {
        // Unflushed on the only replica, which crashes: Kafka's default guarantee allows the loss.
        var lost = new Run(new AcknowledgedWritesSurvive(), 1).Append(1, P0, flush: false, "a");
        lost.Send(1, "a", offset: 0).Crash(1).Poll(2, 0, 1, (0, "b"));
        Assert.Null(lost.Violation);
        Assert.Equal(1, lost.Coverage.Count(DataGoals.AcknowledgedWriteLostToCrash));
        // Flushed before the acknowledgement (FlushBeforeAcknowledge): the crash keeps it, so the loss is a bug.
        var kept = new Run(new AcknowledgedWritesSurvive(), 1).Append(1, P0, flush: true, "a");
        kept.Send(1, "a", offset: 0).Crash(1).Poll(2, 0, 1, (0, "b"));
        Assert.NotNull(kept.Violation);
        // Two replicas held it and only one crashed: the other copy must have survived.
        var oneOfTwo = new Run(new AcknowledgedWritesSurvive(), 1, 2).Append(1, P0, flush: false, "a").Append(2, P0, flush: false, "a");
        oneOfTwo.Send(1, "a", offset: 0).Crash(1).Poll(2, 0, 1, (0, "b"));
        Assert.NotNull(oneOfTwo.Violation);
        // Both replicas lost it (one crashed, the other restarted on an empty disk).
        var both = new Run(new AcknowledgedWritesSurvive(), 1, 2).Append(1, P0, flush: false, "a").Append(2, P0, flush: true, "a");
        both.Send(1, "a", offset: 0).Crash(1).WipeDisk(2).Poll(2, 0, 1, (0, "b"));
        Assert.Null(both.Violation);
    }

    /// <summary>
    /// KIP-966's bound, for a send that names min.insync.replicas 2, with three replicas holding the write: one
    /// crash that takes it from a replica (the last ISR member's, in the museum's last-replica-standing) does
    /// not excuse its loss while the others kept it; two crashes of replicas, one of which took it, do (Kafka 4
    /// then may elect the last known leader uncleanly); crashes that keep it never do, nor do two crashes for a
    /// send that names no min.insync.replicas.
    /// </summary>
    [Fact]
    public void AcknowledgedWritesSurviveExcusesALossAfterMinInsyncReplicasCrashesButNotAfterFewer()
    {
        Run ThreeHolders(bool flushFirstTwo) => new Run(new AcknowledgedWritesSurvive(), 1, 2, 3)
            .Append(1, P0, flushFirstTwo, "a").Append(2, P0, flushFirstTwo, "a").Append(3, P0, flush: true, "a");

        var one = ThreeHolders(flushFirstTwo: false);
        one.Send(1, "a", offset: 0, minIsr: 2).Crash(1).Poll(2, 0, 1, (0, "b"));
        Assert.NotNull(one.Violation);

        var two = ThreeHolders(flushFirstTwo: false);
        two.Send(1, "a", offset: 0, minIsr: 2).Crash(1).Crash(2).Poll(2, 0, 1, (0, "b"));
        Assert.Null(two.Violation);
        Assert.Equal(1, two.Coverage.Count(DataGoals.AcknowledgedWriteLostToCrash));

        var kept = ThreeHolders(flushFirstTwo: true);
        kept.Send(1, "a", offset: 0, minIsr: 2).Crash(1).Crash(2).Poll(2, 0, 1, (0, "b"));
        Assert.NotNull(kept.Violation);

        var unbounded = ThreeHolders(flushFirstTwo: false);
        unbounded.Send(1, "a", offset: 0).Crash(1).Crash(2).Poll(2, 0, 1, (0, "b"));
        Assert.NotNull(unbounded.Violation);
    }

    [Fact]
    public void AcknowledgedWritesSurviveIgnoresAcksOneAndReadsBeforeTheAcknowledgement()
    {
        var run = new Run(new AcknowledgedWritesSurvive(), 1).Append(1, P0, flush: false, "a", "x");
        run.Send(1, "a", offset: 0, acks: "1").Poll(2, 0, 1, (0, "b"));
        Assert.Null(run.Violation);
        run.Poll(3, 0, 2, (0, "b"), (1, "x")).Send(4, "x", offset: 1);
        Assert.Null(run.Violation);
    }

    [Fact]
    public void OffsetsUniqueAndMonotonicFailsOnAHoleABackwardStepAReadPastTheHighWatermarkAndTwoValuesAtOneOffset()
    {
        Assert.Contains("a hole", new Run(new OffsetsUniqueAndMonotonic(), 1).Poll(1, 0, 5, (0, "a"), (2, "c")).Violation?.Message);
        Assert.Contains("back or again", new Run(new OffsetsUniqueAndMonotonic(), 1).Poll(1, 0, 5, (0, "a"), (1, "b"), (1, "b")).Violation?.Message);
        Assert.Contains("a hole", new Run(new OffsetsUniqueAndMonotonic(), 1).Poll(1, 3, 5, (4, "e")).Violation?.Message);
        Assert.Contains("high watermark", new Run(new OffsetsUniqueAndMonotonic(), 1).Poll(1, 0, 1, (0, "a"), (1, "b")).Violation?.Message);
        var reread = new Run(new OffsetsUniqueAndMonotonic(), 1).Append(1, P0, flush: true, "a");
        reread.Poll(1, 0, 1, (0, "a")).Poll(2, 0, 1, (0, "z"));
        Assert.Contains("was read as a", reread.Violation?.Message);
        var acknowledgedTwice = new Run(new OffsetsUniqueAndMonotonic(), 1).Append(1, P0, flush: true, "a");
        acknowledgedTwice.Send(1, "a", offset: 0).Send(2, "b", offset: 0);
        Assert.Contains("acknowledged as b", acknowledgedTwice.Violation?.Message);
    }

    [Fact]
    public void OffsetsUniqueAndMonotonicHoldsOnContiguousReadsAndExcusesAnOffsetLostToCrashes()
    {
        var run = new Run(new OffsetsUniqueAndMonotonic(), 1).Append(1, P0, flush: false, "a", "b");
        run.Poll(1, 0, 2, (0, "a"), (1, "b")).Poll(2, 1, 2, (1, "b")).Poll(3, 0, 2, (0, "a"), (1, "b"));
        Assert.Null(run.Violation);
        run.Crash(1).Poll(4, 0, 1, (0, "c"));
        Assert.Null(run.Violation);
    }

    [Fact]
    public void NoDuplicatesWithIdempotenceFailsWhenAnIdempotentValueIsReadAtTwoOffsets()
    {
        var run = new Run(new NoDuplicatesWithIdempotence(), 1).Append(1, P0, flush: true, "a", "a");
        run.Send(1, "a", offset: 0, idempotent: "1").Poll(2, 0, 2, (0, "a"), (1, "a"));
        Assert.Contains("idempotent write a is in the log twice", run.Violation?.Message);
    }

    [Fact]
    public void NoDuplicatesWithIdempotenceAllowsDuplicatesOfAPlainProducerAndRereadsOfOneCopy()
    {
        var plain = new Run(new NoDuplicatesWithIdempotence(), 1).Append(1, P0, flush: true, "a", "a");
        plain.Send(1, "a", offset: 0).Poll(2, 0, 2, (0, "a"), (1, "a"));
        Assert.Null(plain.Violation);
        var reread = new Run(new NoDuplicatesWithIdempotence(), 1).Append(1, P0, flush: true, "a");
        reread.Send(1, "a", offset: 0, idempotent: "1").Poll(2, 0, 1, (0, "a")).Poll(3, 0, 1, (0, "a"));
        Assert.Null(reread.Violation);
        Assert.Equal(1, reread.Coverage.Count(DataGoals.IdempotentWriteReadBack));
    }

    [Fact]
    public void CommittedOffsetsNeverRegressFailsWhenAFetchReturnsLessThanAnAcknowledgedCommit()
    {
        var run = Committed(new Run(new CommittedOffsetsNeverRegress(), 1).Append(1, OffsetsLog, flush: true, "commit"), 7);
        FetchOffset(run, 10, 3);
        Assert.Contains("went back: 7", run.Violation?.Message);
    }

    [Fact]
    public void CommittedOffsetsNeverRegressHoldsForLaterCommitsRewindsAndCommitsLostToCrashes()
    {
        var run = Committed(new Run(new CommittedOffsetsNeverRegress(), 1).Append(1, OffsetsLog, flush: false, "commit"), 7);
        FetchOffset(run, 10, 9); // a newer commit may have landed
        Committed(run, 2, operationId: 11); // the consumer rewound and committed less
        FetchOffset(run, 12, 2);
        Assert.Null(run.Violation);
        Assert.Equal(2, run.Coverage.Count(DataGoals.CommitReadBack));
        Committed(run, 5, operationId: 13).Crash(1);
        FetchOffset(run, 14, -1); // the only replica lost the unflushed commit
        Assert.Null(run.Violation);
    }

    [Fact]
    public void CommittedOffsetsNeverRegressLeavesAZombieCoordinatorsStaleReadUnjudgedButNotTheCoordinators()
    {
        var run = Committed(new Run(new CommittedOffsetsNeverRegress(), 1, 3).Append(1, OffsetsLog, flush: true, "commit"), 7);
        run.Coordinator = 1;
        FetchOffset(run, 10, -1, answeredBy: 3); // n3, cut off from the controllers, still thinks it leads the offsets partition
        Assert.Null(run.Violation);
        FetchOffset(run, 11, 7, answeredBy: 1);
        Assert.Null(run.Violation);
        FetchOffset(run, 12, -1, answeredBy: 1); // the coordinator itself going back is still a violation
        Assert.Contains("went back: 7", run.Violation?.Message);
    }

    private static Run Committed(Run run, long offset, long operationId = 1)
    {
        run.Record(9, operationId, HistoryKind.Invoke, DataOperation.Commit, $"p=0 offset={offset}");
        return run.Record(9, operationId, HistoryKind.Ok, DataOperation.Commit, $"p=0 offset={offset}");
    }

    private static void FetchOffset(Run run, long operationId, long returned, int? answeredBy = null)
    {
        run.Record(9, operationId, HistoryKind.Invoke, DataOperation.FetchOffset, "p=0");
        run.Record(9, operationId, HistoryKind.Ok, DataOperation.FetchOffset, $"p=0 offset={returned}" + (answeredBy is int node ? $" node={node}" : ""));
    }

    [Fact]
    public void DataChecksIgnoreOtherWorkloadsEntries()
    {
        foreach (DataMonitor monitor in SpecMonitors.Data().Cast<DataMonitor>())
        {
            var run = new Run(monitor, 1).Record(1, 1, HistoryKind.Ok, "create-topic", "p=0 offset=1 records=0:a");
            Assert.Null(run.Violation);
        }
    }
}
