using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

/// <summary>Partitions coming and going, restarts, and retention.</summary>
public sealed class PartitionLifecycleTests
{
    [Fact]
    public void APartitionNoLongerHostedIsDeletedAndItsWaitingProduceFails()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        RequestContext produce = harness.Produce(T0, TestBatches.Records(1), acks: -1);
        harness.Assign();
        Assert.Contains(new NodeEffect.DeleteLog(T0), harness.Effects);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, harness.ProduceAnswer(produce)!.ErrorCode);
        Assert.Null(harness.Node.Snapshot(T0));
        Assert.Empty(harness.Storage.Logs);
    }

    [Fact]
    public void ADeltaForSomeTopicsLeavesTheOtherTopicsPartitionsAsTheyAre()
    {
        var harness = new DataPlaneHarness();
        var other = new TopicPartition("u", 0);
        harness.Assign(harness.Assignment(), harness.Assignment(other, topicId: new Uuid(9, 9)));
        harness.Produce(other, TestBatches.Records(2));
        harness.Effects.Clear();

        // Only topic "t" changed (it was deleted): "u" is neither in the list nor in scope, and keeps its log.
        harness.Run(effects => harness.Node.ApplyPartitions([], harness.NowMs, effects, new SortedSet<string>(StringComparer.Ordinal) { "t" }));
        Assert.Contains(new NodeEffect.DeleteLog(T0), harness.Effects);
        Assert.DoesNotContain(new NodeEffect.DeleteLog(other), harness.Effects);
        Assert.Equal(2, harness.State(other).LogEndOffset);

        // An assignment outside the delta's scope is a caller's bug, refused rather than half applied.
        Assert.ThrowsAny<Exception>(() => harness.Run(effects =>
            harness.Node.ApplyPartitions([harness.Assignment(other, topicId: new Uuid(9, 9))], harness.NowMs, effects, new SortedSet<string>(StringComparer.Ordinal) { "t" })));
    }

    [Fact]
    public void ATopicRecreatedUnderItsNameStartsAnEmptyLog()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment());
        harness.Produce(T0, TestBatches.Records(3));
        harness.Assign(harness.Assignment(topicId: new Uuid(7, 7)));
        Assert.Contains(new NodeEffect.DeleteLog(T0), harness.Effects);
        Assert.Equal(0, harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1)))!.BaseOffset);
        Assert.Equal(1, harness.Storage.Extent(T0).EndOffset);
    }

    [Fact]
    public void LogsFoundOnStartAreLoadedButServeNothingUntilAssigned()
    {
        var storage = new MemoryLogStorage();
        byte[] batch = TestBatches.Records(4);
        RecordBatchPatch.AssignOffsets(batch, 0, partitionLeaderEpoch: 2);
        storage.Apply(new NodeEffect.AppendToLog(T0, 0, batch));
        storage.Apply(new NodeEffect.AppendToLog(TopicPartition.ClusterMetadata, 0, batch));
        storage.Flush(T0);
        var harness = new DataPlaneHarness(storage: storage);
        Assert.Equal([T0], harness.Node.Snapshots().Select(snapshot => snapshot.Partition)); // the metadata log is Raft's
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, harness.FetchAnswer(harness.Fetch(T0, 0))!.ErrorCode);
        harness.Assign(harness.Assignment(leaderEpoch: 3));
        Assert.Equal((4L, 4L), (harness.State().LogEndOffset, harness.State().HighWatermark));
        Assert.Equal(4, harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1)))!.BaseOffset);
    }

    [Fact]
    public void ARestartKeepsEveryAcknowledgedBatchWhenFlushingBeforeAcknowledging()
    {
        var storage = new MemoryLogStorage();
        var before = new DataPlaneHarness(Configure(flushBeforeAcknowledge: true), storage);
        before.Assign(before.Assignment());
        RequestContext[] acknowledged = [before.Produce(T0, TestBatches.Idempotent(42, 0, 0, count: 2)), before.Produce(T0, TestBatches.Idempotent(42, 0, 2))];
        long durable = storage.Flush(T0);
        before.Run(effects => before.Node.OnLogFlushed(T0, durable, before.NowMs, effects));
        RequestContext lost = before.Produce(T0, TestBatches.Idempotent(42, 0, 3));
        Assert.All(acknowledged, produce => Assert.Equal((short)0, before.ProduceAnswer(produce)!.ErrorCode));
        Assert.Null(before.ProduceAnswer(lost)); // never acknowledged, so it may be lost
        storage.Crash();

        var after = new DataPlaneHarness(Configure(flushBeforeAcknowledge: true), storage, nowMs: 10_000);
        after.Assign(after.Assignment(leaderEpoch: 2, partitionEpoch: 2));
        Assert.Equal((3L, 3L), (after.State().LogEndOffset, after.State().HighWatermark));
        FetchResponse.PartitionData data = after.FetchAnswer(after.Fetch(T0, 0))!;
        Assert.Equal([0L, 2L], TestBatches.Headers(data.Records!.Value).Select(header => header.BaseOffset));
        // The producer state came back from the log: a retry of the last acknowledged batch is not appended again.
        RequestContext retry = after.Produce(T0, TestBatches.Idempotent(42, 0, 2));
        Assert.Equal(2, after.ProduceAnswer(retry)!.BaseOffset);
        Assert.Equal(3, after.State().LogEndOffset);
        RequestContext next = after.Produce(T0, TestBatches.Idempotent(42, 0, 3));
        long durableAfter = storage.Flush(T0);
        after.Run(effects => after.Node.OnLogFlushed(T0, durableAfter, after.NowMs, effects));
        Assert.Equal(3, after.ProduceAnswer(next)!.BaseOffset);
    }

    [Fact]
    public void ALeaderTakingOverAnUnflushedTailFlushesItBeforeCommittingIt()
    {
        var storage = new MemoryLogStorage();
        var before = new DataPlaneHarness(Configure(flushBeforeAcknowledge: true), storage);
        before.Assign(before.Assignment());
        before.Produce(T0, TestBatches.Records(2)); // written, never flushed, never acknowledged

        var after = new DataPlaneHarness(Configure(flushBeforeAcknowledge: true), storage); // restarted without a crash
        after.Assign(after.Assignment(leaderEpoch: 2, partitionEpoch: 2));
        Assert.Contains(new NodeEffect.FlushLog(T0), after.Effects);
        Assert.Equal(0, after.State().HighWatermark);
        long durable = storage.Flush(T0);
        after.Run(effects => after.Node.OnLogFlushed(T0, durable, after.NowMs, effects));
        Assert.Equal(2, after.State().HighWatermark);
    }

    [Fact]
    public void RetentionDeletesOldSegmentsByTimeButNeverTheActiveOne()
    {
        var storage = new MemoryLogStorage { SegmentBytes = 200 };
        var harness = new DataPlaneHarness(Configure(retentionCheckIntervalMs: 1_000), storage);
        harness.Assign(harness.Assignment(config: TopicLogConfig.Defaults(harness.Config) with { RetentionMs = 5_000 }));
        for (int i = 0; i < 6; i++) harness.Produce(T0, TestBatches.Records(1, timestampMs: 100 * i, valueBytes: 100));
        Assert.True(storage.Segments(T0).Count >= 3);
        harness.AdvanceTo(4_999);
        Assert.Equal(0, harness.State().LogStartOffset);
        harness.AdvanceTo(7_000);
        IReadOnlyList<LogSegmentInfo> segments = storage.Segments(T0);
        Assert.Single(segments); // every closed segment went; the active one stays, old as it is
        Assert.Equal(segments[0].BaseOffset, harness.State().LogStartOffset);
        Assert.Contains(new NodeEffect.AdvanceLogStart(T0, segments[0].BaseOffset), harness.Effects);
        Assert.Equal(6, harness.State().LogEndOffset);
    }

    [Fact]
    public void RetentionKeepsTheLogWithinRetentionBytes()
    {
        var storage = new MemoryLogStorage { SegmentBytes = 200 };
        var harness = new DataPlaneHarness(Configure(retentionCheckIntervalMs: 1_000), storage);
        harness.Assign(harness.Assignment(config: TopicLogConfig.Defaults(harness.Config) with { RetentionBytes = 400 }));
        for (int i = 0; i < 8; i++) harness.Produce(T0, TestBatches.Records(1, valueBytes: 100));
        Assert.True(storage.Segments(T0).Sum(segment => segment.SizeBytes) > 800);
        harness.AdvanceTo(1_000);
        IReadOnlyList<LogSegmentInfo> kept = storage.Segments(T0);
        long keptBytes = kept.Sum(segment => segment.SizeBytes);
        // Kafka's rule: the oldest segments go while what is left stays at least retention.bytes.
        Assert.True(keptBytes >= 400 && keptBytes - kept[0].SizeBytes < 400, $"kept {keptBytes} bytes in {kept.Count} segments");
        Assert.Equal(kept[0].BaseOffset, harness.State().LogStartOffset);
        Assert.True(harness.State().LogStartOffset > 0);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, harness.FetchAnswer(harness.Fetch(T0, 0))!.ErrorCode);
    }
}
