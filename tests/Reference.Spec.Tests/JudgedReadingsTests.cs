using Reference.Core;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Simulation.Monitors;
using Reference.Simulation.Storage;
using Reference.Spec.Raft;
using static Reference.Spec.Tests.MonitorsCanFailTests;

namespace Reference.Spec.Tests;

/// <summary>
/// The Raft monitors skip a node whose reading is the very object they last judged sound (JudgedReadings).
/// These prove the skip ends where it must: at a new reading beside skipped ones, at a reading that was found
/// wrong, and, for the monitor that reads the disk live, at a disk that changed under an unchanged reading.
/// </summary>
public sealed class JudgedReadingsTests
{
    private static RaftNodeReading WithSnapshots(int id, long logStart, OffsetAndEpoch[] snapshots) =>
        Voter(id, Replica(1, logEnd: 10)) with { Snapshots = new SnapshotReading(logStart, 10, snapshots, 0, false, 0) };

    private static RaftNodeReading Committed(int id, MemoryLogStorage disk, long upTo, int incarnation = 1) =>
        Voter(id, Replica(1, highWatermark: upTo, logEnd: upTo), incarnation, storage: disk);

    /// <summary>
    /// Per monitor: node 1's reading, the same object in both observations, is skipped the second time; node 2's
    /// first reading is sound and its second, a new object, breaks the property. The run must fail on node 2.
    /// </summary>
    private static (RaftMonitor Monitor, RaftNodeReading Unchanged, RaftNodeReading Before, RaftNodeReading After, string Expected) Case(string name) => name switch
    {
        "MonotonicEpoch" => (new MonotonicEpoch(), Voter(1, Replica(5)), Voter(2, Replica(5)), Voter(2, Replica(4)), "node 2's epoch went back"),
        "MonotonicHighWatermark" => (new MonotonicHighWatermark(), Voter(1, Replica(1, highWatermark: 3, logEnd: 3)),
            Voter(2, Replica(1, highWatermark: 3, logEnd: 3)), Voter(2, Replica(1, highWatermark: 2, logEnd: 3)), "node 2's high watermark went back"),
        "SingleLeaderPerEpoch" => (new SingleLeaderPerEpoch(), Voter(1, Replica(3, QuorumStateKind.Leader, leader: 1)),
            Voter(2, Replica(3, leader: 1)), Voter(2, Replica(3, QuorumStateKind.Leader, leader: 2)), "epoch 3 has two leaders"),
        "PersistBeforePromise" => (new PersistBeforePromise(), Voter(1, Replica(3), persisted: Persisted(3)),
            Voter(2, Replica(3), persisted: Persisted(3)), Voter(2, Replica(4), persisted: Persisted(3)), "node 2 runs in epoch 4"),
        "SnapshotAtLogStart" => (new SnapshotAtLogStart(), WithSnapshots(1, 4, [new(4, 1)]), WithSnapshots(2, 4, [new(4, 1)]),
            WithSnapshots(2, 6, [new(4, 1)]), "node 2's log start 6 is past its earliest snapshot"),
        "ConsistentCommittedData" => (new ConsistentCommittedData(), Committed(1, Disk(1, "a"), 1), Committed(2, Disk(1, "a"), 1),
            Committed(2, Disk(1, "b"), 1, incarnation: 2), "committed offset 0 differs"),
        "LeaderCompleteness" => (new LeaderCompleteness(), Voter(1, Replica(2, highWatermark: 5, logEnd: 5)), Voter(2, Replica(2, highWatermark: 5, logEnd: 5)),
            Voter(2, new ReplicaReading(3, 2, QuorumStateKind.Leader, 0, 3)), "node 2 leads epoch 3 with its log ending at 3"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
    };

    [Theory]
    [InlineData("MonotonicEpoch")]
    [InlineData("MonotonicHighWatermark")]
    [InlineData("SingleLeaderPerEpoch")]
    [InlineData("PersistBeforePromise")]
    [InlineData("SnapshotAtLogStart")]
    [InlineData("ConsistentCommittedData")]
    [InlineData("LeaderCompleteness")]
    public void AMonitorJudgesANewReadingBesideOnesItSkips(string name)
    {
        (RaftMonitor monitor, RaftNodeReading unchanged, RaftNodeReading before, RaftNodeReading after, string expected) = Case(name);
        Assert.Equal(name, monitor.Name);
        var coverage = new Coverage();
        Assert.Null(monitor.Check(Observe(unchanged, before), coverage));
        Assert.Contains(expected, monitor.Check(Observe(unchanged, after), coverage)?.Message);
    }

    [Fact]
    public void AReadingFoundWrongIsFoundWrongAgain()
    {
        RaftNodeReading wrong = Voter(1, Replica(1, highWatermark: 4, logEnd: 3));
        var monitor = new MonotonicHighWatermark();
        Assert.Contains("past its log end", monitor.Check(Observe(wrong), new Coverage())?.Message);
        Assert.Contains("past its log end", monitor.Check(Observe(wrong), new Coverage())?.Message);
    }

    [Fact]
    public void ConsistentCommittedDataRereadsADiskThatChangedUnderAnUnchangedReading()
    {
        MemoryLogStorage disk = Disk(1, "a", "b");
        RaftNodeReading reading = Committed(1, disk, 2);
        var monitor = new ConsistentCommittedData();
        Assert.Null(monitor.Check(Observe(reading), new Coverage()));
        Assert.Null(monitor.Check(Observe(reading), new Coverage()));
        // Nothing the simulator does changes a disk without a new reading; the count makes the skip hold even if it did.
        disk.Apply(new NodeEffect.TruncateLog(TopicPartition.ClusterMetadata, 1));
        Assert.Contains("node 1's metadata log ends at 2 in memory but at 1 on disk", monitor.Check(Observe(reading), new Coverage())?.Message);
    }
}
