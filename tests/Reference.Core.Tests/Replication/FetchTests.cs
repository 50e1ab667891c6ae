using Reference.Core.Node;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

public sealed class FetchTests
{
    private static DataPlaneHarness LeaderWith(params int[] recordsPerBatch)
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment());
        foreach (int records in recordsPerBatch) harness.Produce(T0, TestBatches.Records(records));
        return harness;
    }

    [Fact]
    public void AConsumerReadsWholeBatchesWithTheWatermarks()
    {
        DataPlaneHarness harness = LeaderWith(2, 3);
        FetchResponse.PartitionData data = harness.FetchAnswer(harness.Fetch(T0, 1))!;
        Assert.Equal((0, 5L, 5L, 0L), (data.ErrorCode, data.HighWatermark, data.LastStableOffset, data.LogStartOffset));
        // The batch holding offset 1 starts at 0; the consumer skips what it did not ask for.
        Assert.Equal([0L, 2L], TestBatches.Headers(data.Records!.Value).Select(header => header.BaseOffset));
        Assert.Null(data.AbortedTransactions);
    }

    [Fact]
    public void ReadCommittedStopsAtTheLastStableOffsetAndGetsNoAbortedTransactions()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        harness.Produce(T0, TestBatches.Records(2));
        harness.Fetch(T0, 2, replicaId: 2);
        harness.Produce(T0, TestBatches.Records(3)); // not yet on the follower: above the HW
        FetchResponse.PartitionData data = harness.FetchAnswer(harness.Fetch(T0, 0, isolationLevel: 1))!;
        Assert.Equal((2L, 2L), (data.HighWatermark, data.LastStableOffset));
        Assert.Single(TestBatches.Headers(data.Records!.Value));
        Assert.Empty(data.AbortedTransactions!);
        Assert.True(harness.FetchAnswer(harness.Fetch(T0, 2))!.Records!.Value.IsEmpty); // between HW and LEO: nothing, no error
    }

    [Fact]
    public void OffsetsOutsideTheLogAreOutOfRange()
    {
        DataPlaneHarness harness = LeaderWith(2);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, harness.FetchAnswer(harness.Fetch(T0, 3))!.ErrorCode);
        FetchResponse.PartitionData atEnd = harness.FetchAnswer(harness.Fetch(T0, 2))!;
        Assert.Equal((short)0, atEnd.ErrorCode);
        FetchResponse.PartitionData failed = harness.FetchAnswer(harness.Fetch(T0, -1))!;
        Assert.Equal(((short)ErrorCode.OffsetOutOfRange, -1L, -1L), (failed.ErrorCode, failed.HighWatermark, failed.LogStartOffset));
    }

    [Fact]
    public void TheCurrentLeaderEpochIsChecked()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(leaderEpoch: 5));
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, harness.FetchAnswer(harness.Fetch(T0, 0, currentLeaderEpoch: 4))!.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, harness.FetchAnswer(harness.Fetch(T0, 0, currentLeaderEpoch: 6))!.ErrorCode);
        Assert.Equal((short)0, harness.FetchAnswer(harness.Fetch(T0, 0, currentLeaderEpoch: 5))!.ErrorCode);
        harness.Assign(harness.Assignment(leaderId: 2, leaderEpoch: 6, replicas: [2, LocalId]));
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, harness.FetchAnswer(harness.Fetch(T0, 0))!.ErrorCode);
    }

    [Fact]
    public void TheFirstBatchComesWholeButThenTheLimitsHold()
    {
        var harness = new DataPlaneHarness();
        var t1 = new TopicPartition("t", 1);
        harness.Assign(harness.Assignment(), harness.Assignment(t1));
        harness.Produce(T0, TestBatches.Records(1, valueBytes: 500));
        harness.Produce(T0, TestBatches.Records(1, valueBytes: 500));
        harness.Produce(t1, TestBatches.Records(1, valueBytes: 500));
        RequestContext context = harness.Context(11);
        harness.Run(effects => harness.Node.HandleFetch(context,
            FetchRequestFor([(T0, 0), (t1, 0)], partitionMaxBytes: 100, maxBytes: 1_000), harness.NowMs, effects));
        var partitions = harness.AnswerTo<FetchResponse>(context)!.Responses.SelectMany(topic => topic.Partitions).ToList();
        // KIP-74: one batch above PartitionMaxBytes still comes, so the consumer progresses; then the limits apply.
        Assert.Single(TestBatches.Headers(partitions[0].Records!.Value));
        Assert.True(partitions[1].Records!.Value.IsEmpty);
        Assert.Equal(1L, partitions[1].HighWatermark);
    }

    [Fact]
    public void ALongPollIsAnsweredOnTheStepAfterAnAppend()
    {
        DataPlaneHarness harness = LeaderWith(1);
        RequestContext poll = harness.Fetch(T0, 1, maxWaitMs: 5_000);
        Assert.Null(harness.FetchAnswer(poll));
        harness.NowMs = 100;
        IReadOnlyList<NodeEffect> step = harness.Run(effects => harness.Node.HandleProduce(harness.Context(9),
            new ProduceRequest { Acks = 1, TimeoutMs = 1_000, TopicData = [new() { Name = "t", PartitionData = [new() { Index = 0, Records = TestBatches.Records(2) }] }] },
            harness.NowMs, effects));
        FetchResponse.PartitionData data = harness.FetchAnswer(poll)!;
        Assert.Equal([1L], TestBatches.Headers(data.Records!.Value).Select(header => header.BaseOffset));
        // The produce's answer and append came first; the fetch was answered by the wake-up that followed, at the same time.
        int append = step.ToList().FindIndex(effect => effect is NodeEffect.AppendToLog);
        int answer = step.ToList().FindIndex(effect => effect is NodeEffect.Respond { Body: FetchResponse });
        Assert.True(append >= 0 && answer > append);
    }

    [Fact]
    public void ALongPollWithTooLittleDataIsAnsweredAtItsDeadline()
    {
        DataPlaneHarness harness = LeaderWith(1);
        RequestContext poll = harness.Fetch(T0, 1, maxWaitMs: 500, minBytes: 10_000);
        harness.Produce(T0, TestBatches.Records(1));
        Assert.Null(harness.FetchAnswer(poll));
        harness.AdvanceTo(499);
        Assert.Null(harness.FetchAnswer(poll));
        harness.AdvanceTo(500);
        Assert.Single(TestBatches.Headers(harness.FetchAnswer(poll)!.Records!.Value));
    }

    [Fact]
    public void AParkedFetchIsAnsweredWhenItsPartitionLosesLeadership()
    {
        DataPlaneHarness harness = LeaderWith(1);
        RequestContext poll = harness.Fetch(T0, 1, maxWaitMs: 5_000);
        harness.Assign(harness.Assignment(leaderId: 2, leaderEpoch: 2, replicas: [2, LocalId]));
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, harness.FetchAnswer(poll)!.ErrorCode);
    }

    [Fact]
    public void AClosedConnectionsParkedFetchIsDropped()
    {
        DataPlaneHarness harness = LeaderWith(1);
        RequestContext poll = harness.Fetch(T0, 1, maxWaitMs: 500, connection: 77);
        harness.Node.OnConnectionClosed(new ConnectionId(77));
        Assert.True(harness.Node.NextDeadlineMs > 500, "its deadline went with it");
        harness.Produce(T0, TestBatches.Records(1));
        harness.AdvanceTo(1_000);
        Assert.Null(harness.FetchAnswer(poll));
    }

    [Fact]
    public void IncrementalFetchSessionsAreNotKept()
    {
        DataPlaneHarness harness = LeaderWith(1);
        RequestContext context = harness.Context(11);
        FetchRequest request = FetchRequestFor([(T0, 0)]);
        request.SessionId = 42;
        request.SessionEpoch = 3;
        harness.Run(effects => harness.Node.HandleFetch(context, request, harness.NowMs, effects));
        FetchResponse answer = harness.AnswerTo<FetchResponse>(context)!;
        Assert.Equal(((short)ErrorCode.FetchSessionIdNotFound, 0), (answer.ErrorCode, answer.Responses.Count));
    }

    [Fact]
    public void TopicsAreNamedByIdFromFetchV13()
    {
        DataPlaneHarness harness = LeaderWith(2);
        RequestContext byId = harness.Context(13);
        FetchRequest request = FetchRequestFor([(T0, 0)]);
        request.Topics[0].Topic = "";
        harness.Run(effects => harness.Node.HandleFetch(byId, request, harness.NowMs, effects));
        FetchResponse answer = harness.AnswerTo<FetchResponse>(byId)!;
        Assert.Equal(TopicId, answer.Responses[0].TopicId);
        Assert.Single(TestBatches.Headers(answer.Responses[0].Partitions[0].Records!.Value));
        RequestContext unknown = harness.Context(13);
        request.Topics[0].TopicId = new Protocol.Primitives.Uuid(9, 9);
        harness.Run(effects => harness.Node.HandleFetch(unknown, request, harness.NowMs, effects));
        Assert.Equal((short)ErrorCode.UnknownTopicId, harness.FetchAnswer(unknown)!.ErrorCode);
    }
}
