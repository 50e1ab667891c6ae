using Reference.Core.Node;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

/// <summary>The leader's side of replication: follower fetches move the HW, and the ISR follows them.</summary>
public sealed class FollowerFetchTests
{
    private static (NodeEffect.SendRequest Sent, AlterPartitionRequest.PartitionData Change) LastAlterPartition(DataPlaneHarness harness)
    {
        NodeEffect.SendRequest sent = harness.Sent.Last(send => send.Body is AlterPartitionRequest);
        return (sent, ((AlterPartitionRequest)sent.Body).Topics.Single().Partitions.Single());
    }

    private static void Answer(DataPlaneHarness harness, NodeEffect.SendRequest sent, int[] isr, int partitionEpoch, short error = 0) =>
        harness.Run(effects => harness.Node.HandleResponse(sent.CorrelationId, new AlterPartitionResponse
        {
            Topics =
            [
                new AlterPartitionResponse.TopicData
                {
                    TopicId = TopicId,
                    Partitions = [new() { PartitionIndex = 0, ErrorCode = error, LeaderId = LocalId, LeaderEpoch = 1, Isr = [.. isr], PartitionEpoch = partitionEpoch }],
                },
            ],
        }, harness.NowMs, effects));

    [Fact]
    public void AFollowerFetchingPastABatchCommitsItAndAnswersAcksAll()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        RequestContext produce = harness.Produce(T0, TestBatches.Records(3), acks: -1);
        FetchResponse.PartitionData first = harness.FetchAnswer(harness.Fetch(T0, 0, replicaId: 2))!;
        Assert.Single(TestBatches.Headers(first.Records!.Value)); // followers read up to the log end, past the HW
        Assert.Equal(0, first.HighWatermark);
        Assert.Null(harness.ProduceAnswer(produce));
        FetchResponse.PartitionData second = harness.FetchAnswer(harness.Fetch(T0, 3, replicaId: 2, logStartOffset: 0))!;
        Assert.Equal(0, second.HighWatermark); // the HW as it was when the fetch was read, as in Kafka
        Assert.Equal(3, harness.State().HighWatermark);
        Assert.Equal((short)ErrorCode.None, harness.ProduceAnswer(produce)!.ErrorCode);
    }

    [Fact]
    public void AFollowerThatStopsFetchingLeavesTheIsrAfterTheLagTime()
    {
        var harness = new DataPlaneHarness(Configure(replicaLagTimeMaxMs: 10_000));
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        harness.Produce(T0, TestBatches.Records(1));
        harness.AdvanceTo(10_000);
        Assert.DoesNotContain(harness.Sent, send => send.Body is AlterPartitionRequest);
        harness.AdvanceTo(15_000);
        (NodeEffect.SendRequest sent, AlterPartitionRequest.PartitionData change) = LastAlterPartition(harness);
        Assert.Equal((3000, (short)3), (sent.ToNodeId, sent.ApiVersion));
        Assert.Equal([LocalId], change.NewIsrWithEpochs.Select(state => state.BrokerId));
        Assert.Equal((5L, 1, 1), (change.NewIsrWithEpochs[0].BrokerEpoch, change.LeaderEpoch, change.PartitionEpoch));
        Assert.Equal(0, harness.State().HighWatermark); // until the controller agrees, the leaving replica still counts
        Answer(harness, sent, isr: [LocalId], partitionEpoch: 2);
        Assert.Equal([LocalId], harness.State().Isr);
        Assert.Equal((2, 1L), (harness.State().PartitionEpoch, harness.State().HighWatermark));
    }

    [Fact]
    public void ACaughtUpFollowerRejoinsTheIsrAndHoldsTheHighWatermarkMeanwhile()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2], isr: [LocalId]));
        harness.Produce(T0, TestBatches.Records(2));
        Assert.Equal(2, harness.State().HighWatermark);
        harness.Fetch(T0, 0, replicaId: 2);
        Assert.DoesNotContain(harness.Sent, send => send.Body is AlterPartitionRequest); // below the HW: not in sync
        harness.Fetch(T0, 2, replicaId: 2);
        (NodeEffect.SendRequest sent, AlterPartitionRequest.PartitionData change) = LastAlterPartition(harness);
        Assert.Equal([LocalId, 2], change.NewIsr);
        Assert.Equal([LocalId, 2], harness.State().MaximalIsr);
        harness.Produce(T0, TestBatches.Records(1));
        Assert.Equal(2, harness.State().HighWatermark); // the joining replica counts at once (KIP-497's maximal ISR)
        Answer(harness, sent, isr: [LocalId, 2], partitionEpoch: 2);
        Assert.Equal([LocalId, 2], harness.State().Isr);
    }

    [Fact]
    public void AFailedAlterPartitionIsSentAgainAtTheNextIsrCheck()
    {
        var harness = new DataPlaneHarness(Configure(replicaLagTimeMaxMs: 10_000));
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        harness.AdvanceTo(15_000);
        (NodeEffect.SendRequest first, _) = LastAlterPartition(harness);
        harness.Run(effects => harness.Node.HandleResponse(first.CorrelationId,
            new AlterPartitionResponse { ErrorCode = (short)ErrorCode.NotController }, harness.NowMs, effects));
        harness.AdvanceTo(20_000);
        (NodeEffect.SendRequest second, _) = LastAlterPartition(harness);
        Assert.NotEqual(first.CorrelationId, second.CorrelationId);
        harness.Run(effects => harness.Node.HandleRequestFailed(second.CorrelationId, harness.NowMs, effects));
        harness.AdvanceTo(25_000);
        Assert.Equal(3, harness.Sent.Count(send => send.Body is AlterPartitionRequest));
    }

    [Fact]
    public void AFollowerOnADivergedEpochIsToldWhereToTruncate()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2], isr: [LocalId]));
        harness.Produce(T0, TestBatches.Records(2)); // epoch 1: offsets 0-1
        harness.Assign(harness.Assignment(replicas: [LocalId, 2], isr: [LocalId], leaderEpoch: 3, partitionEpoch: 2));
        harness.Produce(T0, TestBatches.Records(1)); // epoch 3: offset 2
        // The follower wrote offsets 2-4 in epoch 2, which this leader never saw.
        FetchResponse.PartitionData data = harness.FetchAnswer(harness.Fetch(T0, 5, replicaId: 2, lastFetchedEpoch: 2))!;
        Assert.Equal((1, 2L), (data.DivergingEpoch!.Epoch, data.DivergingEpoch.EndOffset));
        Assert.True(data.Records!.Value.IsEmpty);
        // Offsets it still has, in an epoch this leader knows, are served normally.
        FetchResponse.PartitionData resumed = harness.FetchAnswer(harness.Fetch(T0, 2, replicaId: 2, lastFetchedEpoch: 1))!;
        Assert.Null(resumed.DivergingEpoch);
        Assert.Equal([2L], TestBatches.Headers(resumed.Records!.Value).Select(header => header.BaseOffset));
    }

    [Fact]
    public void OnlyAssignedReplicasMayFetchAsFollowers()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, harness.FetchAnswer(harness.Fetch(T0, 0, replicaId: 9))!.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, harness.FetchAnswer(harness.Fetch(T0, 0, replicaId: 9, currentLeaderEpoch: 1))!.ErrorCode);
    }

    [Fact]
    public void AFollowersLongPollIsAnsweredByTheNextAppend()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        RequestContext poll = harness.Fetch(T0, 0, replicaId: 2, maxWaitMs: 500);
        Assert.Null(harness.FetchAnswer(poll));
        harness.Produce(T0, TestBatches.Records(2));
        Assert.Single(TestBatches.Headers(harness.FetchAnswer(poll)!.Records!.Value));
    }
}
