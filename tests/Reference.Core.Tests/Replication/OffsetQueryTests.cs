using Reference.Core.Node;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

/// <summary>ListOffsets, DeleteRecords and OffsetForLeaderEpoch.</summary>
public sealed class OffsetQueryTests
{
    private static ListOffsetsResponse.ListOffsetsPartitionResponse ListOffsets(DataPlaneHarness harness, long timestamp,
        sbyte isolationLevel = 0, int replicaId = -1)
    {
        RequestContext context = harness.Context(5);
        var request = new ListOffsetsRequest
        {
            ReplicaId = replicaId,
            IsolationLevel = isolationLevel,
            Topics = [new() { Name = T0.Topic, Partitions = [new() { PartitionIndex = 0, Timestamp = timestamp }] }],
        };
        harness.Run(effects => harness.Node.HandleListOffsets(context, request, harness.NowMs, effects));
        return harness.AnswerTo<ListOffsetsResponse>(context)!.Topics.Single().Partitions.Single();
    }

    /// <summary>A leader with batches at timestamps 1000, 2000, 3000 (two records each) and a follower that has the first four offsets.</summary>
    private static DataPlaneHarness ThreeBatchesTwoCommitted()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2], leaderEpoch: 4));
        foreach (long timestamp in new long[] { 1_000, 2_000, 3_000 }) harness.Produce(T0, TestBatches.Records(2, timestampMs: timestamp));
        harness.Fetch(T0, 4, replicaId: 2);
        return harness;
    }

    [Fact]
    public void EarliestAndLatestAreTheLogStartAndTheHighWatermark()
    {
        DataPlaneHarness harness = ThreeBatchesTwoCommitted();
        var earliest = ListOffsets(harness, -2);
        Assert.Equal((0L, -1L, 4), (earliest.Offset, earliest.Timestamp, earliest.LeaderEpoch));
        Assert.Equal(4L, ListOffsets(harness, -1).Offset);
        Assert.Equal(4L, ListOffsets(harness, -1, isolationLevel: 1).Offset);
        Assert.Equal(6L, ListOffsets(harness, -1, replicaId: 2).Offset); // a follower asks for the log end
    }

    [Fact]
    public void ATimestampFindsTheFirstBatchReachingItBelowTheHighWatermark()
    {
        DataPlaneHarness harness = ThreeBatchesTwoCommitted();
        var found = ListOffsets(harness, 1_500);
        Assert.Equal((2L, 2_001L, 4), (found.Offset, found.Timestamp, found.LeaderEpoch));
        var early = ListOffsets(harness, 0);
        Assert.Equal(0L, early.Offset);
        var uncommitted = ListOffsets(harness, 2_500); // that batch is above the HW
        Assert.Equal(((short)0, -1L, -1L), (uncommitted.ErrorCode, uncommitted.Offset, uncommitted.Timestamp));
    }

    [Fact]
    public void ANewLeaderWhoseHighWatermarkLagsItsEpochCannotSayTheLatest()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        harness.Produce(T0, TestBatches.Records(2));
        harness.Assign(harness.Assignment(replicas: [LocalId, 2], leaderEpoch: 2, partitionEpoch: 2));
        Assert.Equal((short)ErrorCode.OffsetNotAvailable, ListOffsets(harness, -1).ErrorCode);
        Assert.Equal((short)ErrorCode.None, ListOffsets(harness, -2).ErrorCode);
    }

    [Fact]
    public void MaxTimestampNeedsANewerVersion()
    {
        DataPlaneHarness harness = ThreeBatchesTwoCommitted();
        Assert.Equal((short)ErrorCode.UnsupportedVersion, ListOffsets(harness, -3).ErrorCode);
    }

    private static DeleteRecordsResponse.DeleteRecordsPartitionResult DeleteRecords(DataPlaneHarness harness, long offset)
    {
        RequestContext context = harness.Context(1);
        var request = new DeleteRecordsRequest { Topics = [new() { Name = T0.Topic, Partitions = [new() { PartitionIndex = 0, Offset = offset }] }] };
        harness.Run(effects => harness.Node.HandleDeleteRecords(context, request, harness.NowMs, effects));
        return harness.AnswerTo<DeleteRecordsResponse>(context)!.Topics.Single().Partitions.Single();
    }

    [Fact]
    public void DeleteRecordsMovesTheLogStartButNeverPastTheHighWatermark()
    {
        DataPlaneHarness harness = ThreeBatchesTwoCommitted();
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, DeleteRecords(harness, 5).ErrorCode);
        var deleted = DeleteRecords(harness, 3);
        Assert.Equal(((short)0, 3L), (deleted.ErrorCode, deleted.LowWatermark));
        Assert.Contains(new NodeEffect.AdvanceLogStart(T0, 3), harness.Effects);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, harness.FetchAnswer(harness.Fetch(T0, 2))!.ErrorCode);
        Assert.Equal(4L, DeleteRecords(harness, -1).LowWatermark); // -1 means the HW
        Assert.Equal(4L, ListOffsets(harness, -2).Offset);
    }

    [Fact]
    public void OffsetForLeaderEpochAnswersFromTheEpochCache()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(leaderEpoch: 1));
        harness.Produce(T0, TestBatches.Records(3));
        harness.Assign(harness.Assignment(leaderEpoch: 4, partitionEpoch: 2));
        harness.Produce(T0, TestBatches.Records(2));
        RequestContext context = harness.Context(3);
        var request = new OffsetForLeaderEpochRequest
        {
            ReplicaId = 2,
            Topics = [new() { Topic = T0.Topic, Partitions = [new() { Partition = 0, LeaderEpoch = 1 }, new() { Partition = 0, LeaderEpoch = 4 }, new() { Partition = 0, LeaderEpoch = 2, CurrentLeaderEpoch = 3 }] }],
        };
        harness.Run(effects => harness.Node.HandleOffsetForLeaderEpoch(context, request, harness.NowMs, effects));
        var answers = harness.AnswerTo<OffsetForLeaderEpochResponse>(context)!.Topics.Single().Partitions;
        Assert.Equal((1, 3L), (answers[0].LeaderEpoch, answers[0].EndOffset));
        Assert.Equal((4, 5L), (answers[1].LeaderEpoch, answers[1].EndOffset));
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, answers[2].ErrorCode);
    }
}
