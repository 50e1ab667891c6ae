using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Reference.Simulation.Monitors;
using Reference.Simulation.Storage;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests;

/// <summary>
/// No monitor that cannot fail: each is handed a crafted run in which its property breaks, and must say so
/// (and must stay quiet on the same run without the break).
/// </summary>
public sealed class MonitorsCanFailTests
{
    private static readonly SimulationEvent Nothing = new SimulationEvent.FaultInjected(0, "crafted");

    internal static RaftNodeReading Voter(int id, ReplicaReading? replica = null, int incarnation = 1, QuorumStateData? persisted = null,
        ILogStorage? storage = null) =>
        new(id, IsVoter: true, incarnation, replica, persisted, storage ?? new MemoryLogStorage());

    internal static ReplicaReading Replica(int epoch, QuorumStateKind state = QuorumStateKind.Follower, int? leader = null, long highWatermark = 0,
        long logEnd = 0) => new(epoch, leader, state, highWatermark, logEnd);

    private static ReplicaReading Leader(int id, int epoch, long highWatermark = 0, long logEnd = 0) =>
        Replica(epoch, QuorumStateKind.Leader, id, highWatermark, logEnd);

    internal static RaftObservation Observe(params RaftNodeReading[] nodes) => new(0, Nothing, nodes);

    internal static QuorumStateData Persisted(int epoch, int leader = -1, int voted = -1) => new() { LeaderEpoch = epoch, LeaderId = leader, VotedId = voted };

    /// <summary>A disk whose metadata log holds one durable batch per value, one offset each.</summary>
    internal static MemoryLogStorage Disk(int epoch, params string[] values)
    {
        var disk = new MemoryLogStorage();
        for (int offset = 0; offset < values.Length; offset++)
        {
            byte[] batch = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = offset, PartitionLeaderEpoch = epoch })
                .Append(0, key: null, value: System.Text.Encoding.UTF8.GetBytes(values[offset])).Build();
            Assert.True(disk.Apply(new NodeEffect.AppendToLog(TopicPartition.ClusterMetadata, offset, batch)));
        }
        disk.Flush(TopicPartition.ClusterMetadata);
        return disk;
    }

    /// <summary>Runs the observations in order and returns the first violation.</summary>
    private static MonitorViolation? Run(RaftMonitor monitor, params RaftObservation[] run)
    {
        var coverage = new Coverage();
        foreach (RaftObservation observation in run)
            if (monitor.Check(observation, coverage) is { } violation) return violation;
        return null;
    }

    [Fact]
    public void SingleLeaderPerEpochFailsWhenTwoNodesLeadOneEpoch()
    {
        Assert.Null(Run(new SingleLeaderPerEpoch(), Observe(Voter(1, Leader(1, 3)), Voter(2, Replica(3, leader: 1)))));
        MonitorViolation? violation = Run(new SingleLeaderPerEpoch(), Observe(Voter(1, Leader(1, 3))), Observe(Voter(1), Voter(2, Leader(2, 3))));
        Assert.Contains("epoch 3 has two leaders", violation?.Message);
    }

    [Fact]
    public void SingleLeaderPerEpochFailsWhenADiskNamesAnotherLeader()
    {
        MonitorViolation? violation = Run(new SingleLeaderPerEpoch(), Observe(Voter(1, Leader(1, 4)), Voter(2, persisted: Persisted(4, leader: 3))));
        Assert.Contains("node 2 has persisted", violation?.Message);
    }

    [Fact]
    public void SingleLeaderPerEpochCountsLeaderChangesAndRivalCandidates()
    {
        var monitor = new SingleLeaderPerEpoch();
        var coverage = new Coverage();
        Assert.Null(monitor.Check(Observe(Voter(1, Replica(2, QuorumStateKind.Candidate)), Voter(2, Replica(2, QuorumStateKind.Candidate))), coverage));
        Assert.Null(monitor.Check(Observe(Voter(1, Leader(1, 2))), coverage));
        Assert.Null(monitor.Check(Observe(Voter(2, Leader(2, 3))), coverage));
        Assert.Equal(2, coverage.Count(CoverageGoals.LeaderChange));
        Assert.Equal(1, coverage.Count(RaftGoals.RivalCandidates));
    }

    [Fact]
    public void MonotonicEpochFailsWhenARunningReplicaGoesBack()
    {
        Assert.Null(Run(new MonotonicEpoch(), Observe(Voter(1, Replica(5))), Observe(Voter(1, Replica(4), incarnation: 2))));
        MonitorViolation? violation = Run(new MonotonicEpoch(), Observe(Voter(1, Replica(5))), Observe(Voter(1, Replica(4))));
        Assert.Contains("epoch went back from 5 to 4", violation?.Message);
    }

    [Fact]
    public void MonotonicEpochFailsWhenTheDiskGoesBackButNotWhenItIsWiped()
    {
        var disk = new MemoryLogStorage();
        Assert.Null(Run(new MonotonicEpoch(), Observe(Voter(1, persisted: Persisted(5), storage: disk)), Observe(Voter(1, persisted: Persisted(2)))));
        MonitorViolation? violation = Run(new MonotonicEpoch(),
            Observe(Voter(1, persisted: Persisted(5), storage: disk)), Observe(Voter(1, persisted: Persisted(2), storage: disk, incarnation: 2)));
        Assert.Contains("persisted epoch went back from 5 to 2", violation?.Message);
    }

    [Fact]
    public void MonotonicHighWatermarkFailsWhenItGoesBackWithinAnIncarnation()
    {
        Assert.Null(Run(new MonotonicHighWatermark(), Observe(Voter(1, Replica(1, highWatermark: 7, logEnd: 9))),
            Observe(Voter(1, Replica(1, highWatermark: 0, logEnd: 9), incarnation: 2))));
        MonitorViolation? violation = Run(new MonotonicHighWatermark(), Observe(Voter(1, Replica(1, highWatermark: 7, logEnd: 9))),
            Observe(Voter(1, Replica(1, highWatermark: 6, logEnd: 9))));
        Assert.Contains("went back from 7 to 6", violation?.Message);
    }

    [Fact]
    public void MonotonicHighWatermarkFailsWhenItPassesTheLogEnd()
    {
        MonitorViolation? violation = Run(new MonotonicHighWatermark(), Observe(Voter(1, Replica(1, highWatermark: 4, logEnd: 3))));
        Assert.Contains("past its log end", violation?.Message);
    }

    [Fact]
    public void MajorityReachedHighWatermarkFailsWhenOnlyAMinorityHoldsIt()
    {
        MemoryLogStorage twoBatches = Disk(1, "a", "b");
        Assert.Null(Run(new MajorityReachedHighWatermark(),
            Observe(Voter(1, Leader(1, 1, highWatermark: 2, logEnd: 2), storage: twoBatches), Voter(2, storage: Disk(1, "a", "b")), Voter(3))));
        MonitorViolation? violation = Run(new MajorityReachedHighWatermark(),
            Observe(Voter(1, Leader(1, 1, highWatermark: 2, logEnd: 2), storage: twoBatches), Voter(2, storage: Disk(1, "a")), Voter(3)));
        Assert.Contains("durable on only 1 of 3 voters", violation?.Message);
    }

    [Fact]
    public void ConsistentCommittedDataFailsWhenTwoReplicasCommitDifferentBatchesAtOneOffset()
    {
        Assert.Null(Run(new ConsistentCommittedData(), Observe(
            Voter(1, Leader(1, 1, highWatermark: 2, logEnd: 2), storage: Disk(1, "a", "b")),
            Voter(2, Replica(1, leader: 1, highWatermark: 2, logEnd: 2), storage: Disk(1, "a", "b")))));
        MonitorViolation? violation = Run(new ConsistentCommittedData(), Observe(
            Voter(1, Leader(1, 1, highWatermark: 2, logEnd: 2), storage: Disk(1, "a", "b")),
            Voter(2, Replica(1, leader: 1, highWatermark: 2, logEnd: 2), storage: Disk(1, "a", "c"))));
        Assert.Contains("committed offset 1 differs", violation?.Message);
    }

    [Fact]
    public void ConsistentCommittedDataFailsWhenAReplicaLacksWhatItCallsCommitted()
    {
        MonitorViolation? violation = Run(new ConsistentCommittedData(), Observe(Voter(1, Replica(1, highWatermark: 2, logEnd: 1), storage: Disk(1, "a"))));
        Assert.Contains("no batch at 1", violation?.Message);
    }

    [Fact]
    public void ConsistentCommittedDataFailsWhenAReplicasLogAndDiskPartBetweenSteps()
    {
        MemoryLogStorage disk = Disk(1, "a");
        MonitorViolation? violation = Run(new ConsistentCommittedData(), Observe(Voter(1, Replica(1, highWatermark: 1, logEnd: 2), storage: disk)));
        Assert.Contains("ends at 2 in memory but at 1 on disk", violation?.Message);
    }

    [Fact]
    public void ConsistentCommittedDataFailsWhenAReplicaTruncatesBelowItsHighWatermark()
    {
        MemoryLogStorage disk = Disk(1, "a", "b");
        var truncation = new SimulationEvent.InputDelivered(1, 1, new NodeInput.TimeAdvanced(1), [new NodeEffect.TruncateLog(TopicPartition.ClusterMetadata, 1)]);
        var coverage = new Coverage();
        var monitor = new ConsistentCommittedData();
        Assert.Null(monitor.Check(Observe(Voter(1, Replica(1, highWatermark: 2, logEnd: 2), storage: disk)), coverage));
        MonitorViolation? violation = monitor.Check(new RaftObservation(1, truncation, [Voter(1, Replica(1, highWatermark: 2, logEnd: 2), storage: disk)]), coverage);
        Assert.Contains("below its high watermark 2", violation?.Message);
        Assert.Equal(1, coverage.Count(RaftGoals.LogTruncated));
    }

    [Fact]
    public void LeaderCompletenessFailsWhenALeaderLacksACommittedOffset()
    {
        Assert.Null(Run(new LeaderCompleteness(), Observe(Voter(1, Leader(1, 1, highWatermark: 5, logEnd: 5))), Observe(Voter(2, Leader(2, 2, logEnd: 5)))));
        MonitorViolation? violation = Run(new LeaderCompleteness(),
            Observe(Voter(1, Leader(1, 1, highWatermark: 5, logEnd: 5))), Observe(Voter(2, Leader(2, 2, logEnd: 4))));
        Assert.Contains("short of the committed offset 4", violation?.Message);
    }

    [Fact]
    public void LeaderCompletenessJudgesTheLogAStaleLeaderWonWithNotOneItsOwnEpochPadded()
    {
        // Node 2 won epoch 2 with 4 entries and appended its LeaderChange record: its log ends at 5, the
        // committed offset 4 is not the entry it holds there (the museum's vote-without-log-comparison).
        ReplicaReading padded = Leader(2, 2, logEnd: 5) with { LeaderEpochStartOffset = 4 };
        MonitorViolation? violation = Run(new LeaderCompleteness(), Observe(Voter(1, Leader(1, 1, highWatermark: 5, logEnd: 5))), Observe(Voter(2, padded)));
        Assert.Contains("ending at 4 when it won, short of the committed offset 4", violation?.Message);
        Assert.Null(Run(new LeaderCompleteness(), Observe(Voter(1, Leader(1, 1, highWatermark: 5, logEnd: 5))), Observe(Voter(2, padded with { LeaderEpochStartOffset = 5, LogEndOffset = 6 }))));
    }

    [Fact]
    public void PersistBeforePromiseFailsWhenAReplicaRunsAheadOfItsDisk()
    {
        Assert.Null(Run(new PersistBeforePromise(), Observe(Voter(1, Replica(3), persisted: Persisted(3)))));
        MonitorViolation? violation = Run(new PersistBeforePromise(), Observe(Voter(1, Replica(3), persisted: Persisted(2))));
        Assert.Contains("runs in epoch 3 but its disk holds epoch 2", violation?.Message);
    }

    [Fact]
    public void PersistBeforePromiseJudgesTheEffectsAskedForNotThoseACrashCarriedOut()
    {
        // The step moved to epoch 3 and asked to persist it; a crash cut it before the write: no promise was made.
        var step = new SimulationEvent.InputDelivered(1, 1, new NodeInput.TimeAdvanced(1), [new NodeEffect.PersistQuorumState(Persisted(3))]);
        Assert.Null(new PersistBeforePromise().Check(new RaftObservation(1, step, [Voter(1, Replica(3), persisted: Persisted(2))]), new Coverage()));
    }

    [Fact]
    public void PersistBeforePromiseFailsWhenAVoteIsGrantedBeforeItIsWritten()
    {
        NodeEffect write = new NodeEffect.PersistQuorumState(Persisted(4, voted: 2));
        RaftObservation before = Observe(Voter(1, Replica(3), persisted: Persisted(3)));
        Assert.Null(Run(new PersistBeforePromise(), before, new RaftObservation(1, GrantVote(voter: 1, candidate: 2, epoch: 4, write, Grant(4)),
            [Voter(1, Replica(4), persisted: Persisted(4, voted: 2))])));
        MonitorViolation? violation = Run(new PersistBeforePromise(), before, new RaftObservation(1, GrantVote(voter: 1, candidate: 2, epoch: 4, Grant(4), write),
            [Voter(1, Replica(4), persisted: Persisted(4, voted: 2))]));
        Assert.Contains("granted its vote to 2 in epoch 4 before its disk held it", violation?.Message);
    }

    private static NodeEffect Grant(int epoch) => new NodeEffect.Respond(Context,
        new VoteResponse { Topics = [new VoteResponse.TopicData { Partitions = [new VoteResponse.PartitionData { LeaderEpoch = epoch, LeaderId = -1, VoteGranted = true }] }] });

    private static readonly RequestContext Context = new(new ConnectionId(1), ListenerKind.Controller, 1, 1, "node-2", "n2", 0);

    private static SimulationEvent GrantVote(int voter, int candidate, int epoch, params NodeEffect[] effects)
    {
        var request = new VoteRequest
        {
            Topics = [new VoteRequest.TopicData { Partitions = [new VoteRequest.PartitionData { CandidateId = candidate, CandidateEpoch = epoch, PreVote = false }] }],
        };
        return new SimulationEvent.InputDelivered(1, voter, new NodeInput.RequestReceived(1, Context, request), effects);
    }

    private static RaftNodeReading WithSnapshots(int id, long logStart, long logEnd, OffsetAndEpoch[] snapshots, int installed = 0,
        bool writable = false, int loadsSinceClaim = 0, int incarnation = 1) =>
        Voter(id, Replica(1, logEnd: logEnd), incarnation) with
        {
            Snapshots = new SnapshotReading(logStart, logEnd, snapshots, installed, writable, loadsSinceClaim),
        };

    [Fact]
    public void SnapshotAtLogStartFailsWhenTheLogStartHasNoSnapshotAtIt()
    {
        Assert.Null(Run(new SnapshotAtLogStart(), Observe(WithSnapshots(1, 0, 10, []), WithSnapshots(2, 0, 10, [new(4, 1)]), WithSnapshots(3, 4, 10, [new(4, 1), new(8, 2)]))));
        Assert.Contains("no snapshot at its log start 8", Run(new SnapshotAtLogStart(), Observe(WithSnapshots(1, 8, 10, [new(9, 2)])))?.Message);
        Assert.Contains("with no snapshot", Run(new SnapshotAtLogStart(), Observe(WithSnapshots(1, 4, 10, [])))?.Message);
    }

    [Fact]
    public void SnapshotAtLogStartFailsWhenTheLogStartPassesTheEarliestSnapshotOrItPassesTheLogEnd()
    {
        Assert.Contains("past its earliest snapshot", Run(new SnapshotAtLogStart(), Observe(WithSnapshots(1, 6, 10, [new(4, 1)])))?.Message);
        Assert.Contains("past its log end", Run(new SnapshotAtLogStart(), Observe(WithSnapshots(1, 0, 10, [new(12, 1)])))?.Message);
    }

    [Fact]
    public void SnapshotAtLogStartCountsWrittenAndInstalledSnapshots()
    {
        var monitor = new SnapshotAtLogStart();
        var coverage = new Coverage();
        var write = new NodeEffect.WriteSnapshot(TopicPartition.ClusterMetadata, new OffsetAndEpoch(4, 1), new byte[] { 1 });
        var wrote = new RaftObservation(0, new SimulationEvent.InputDelivered(0, 1, new NodeInput.TimeAdvanced(0), [write]), [WithSnapshots(1, 0, 10, [])]);
        Assert.Null(monitor.Check(wrote, coverage));
        Assert.Null(monitor.Check(Observe(WithSnapshots(2, 4, 4, [new(4, 1)], installed: 0)), coverage));
        Assert.Null(monitor.Check(Observe(WithSnapshots(2, 4, 4, [new(4, 1)], installed: 0, incarnation: 2)), coverage));
        Assert.Equal(0, coverage.Count(RaftGoals.SnapshotInstalled));
        Assert.Null(monitor.Check(Observe(WithSnapshots(2, 4, 4, [new(4, 1)], installed: 1, incarnation: 2)), coverage));

        Assert.Equal(1, coverage.Count(RaftGoals.SnapshotWritten));
        Assert.Equal(1, coverage.Count(RaftGoals.SnapshotInstalled));
    }

    [Fact]
    public void LeaderNeverLoadSnapshotFailsWhenAWritableNodeLoadedOne()
    {
        Assert.Null(Run(new LeaderNeverLoadSnapshot(), Observe(WithSnapshots(1, 0, 10, [], writable: true), WithSnapshots(2, 4, 10, [new(4, 1)], loadsSinceClaim: 3))));
        MonitorViolation? violation = Run(new LeaderNeverLoadSnapshot(), Observe(WithSnapshots(1, 4, 10, [new(4, 1)], writable: true, loadsSinceClaim: 1)));
        Assert.Contains("node 1 loaded 1 snapshot(s) while its controller was active", violation?.Message);
    }
}
