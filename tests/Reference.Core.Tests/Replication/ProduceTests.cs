using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Producers;
using Reference.Core.Replication;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Records;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

public sealed class ProduceTests
{
    private static short Error(ErrorCode code) => (short)code;

    [Fact]
    public void AcksOneIsAnsweredAtOnceWithDenseOffsetsAndTheHighWatermarkFollowsASingleReplica()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment());
        var first = harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(3)))!;
        var second = harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(2)))!;
        Assert.Equal((Error(ErrorCode.None), 0L, 0L), (first.ErrorCode, first.BaseOffset, first.LogStartOffset));
        Assert.Equal(3, second.BaseOffset);
        Assert.Equal((5L, 5L), (harness.State().LogEndOffset, harness.State().HighWatermark));
        Assert.Equal(5, harness.Storage.Extent(T0).EndOffset);
    }

    [Fact]
    public void AcksZeroIsNeverAnsweredAndAnErrorClosesTheConnection()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment());
        RequestContext fine = harness.Produce(T0, TestBatches.Records(1), acks: 0);
        Assert.Null(harness.AnswerTo<Protocol.Messages.ProduceResponse>(fine));
        Assert.Equal(1, harness.State().LogEndOffset);
        RequestContext refused = harness.Produce(new TopicPartition("missing", 0), TestBatches.Records(1), acks: 0);
        Assert.Null(harness.AnswerTo<Protocol.Messages.ProduceResponse>(refused));
        Assert.Contains(new NodeEffect.CloseConnection(refused.Connection), harness.Effects);
        Assert.False(HostedPartitions.ExpectsResponse(new Protocol.Messages.ProduceRequest { Acks = 0 }));
        Assert.True(HostedPartitions.ExpectsResponse(new Protocol.Messages.ProduceRequest { Acks = -1 }));
    }

    [Fact]
    public void RequestLevelRefusals()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(), harness.Assignment(new TopicPartition("f", 0), leaderId: 2, replicas: [2, LocalId]));
        Assert.Equal(Error(ErrorCode.InvalidRequiredAcks), harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1), acks: 2))!.ErrorCode);
        Assert.Equal(Error(ErrorCode.UnknownTopicOrPartition), harness.ProduceAnswer(harness.Produce(new TopicPartition("t", 9), TestBatches.Records(1)))!.ErrorCode);
        Assert.Equal(Error(ErrorCode.NotLeaderOrFollower), harness.ProduceAnswer(harness.Produce(new TopicPartition("f", 0), TestBatches.Records(1)))!.ErrorCode);
        var transactional = harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1), transactionalId: "tx"))!;
        Assert.Equal(Error(ProducerIdIssuer.TransactionsUnsupported), transactional.ErrorCode);
        Assert.NotNull(transactional.ErrorMessage);
        byte[] corrupt = TestBatches.Records(2);
        corrupt[^1] ^= 1;
        var refused = harness.ProduceAnswer(harness.Produce(T0, corrupt))!;
        Assert.Equal((Error(ErrorCode.CorruptMessage), -1L), (refused.ErrorCode, refused.BaseOffset));
        Assert.Equal(0, harness.State().LogEndOffset);
    }

    [Fact]
    public void AcksAllBelowMinInsyncReplicasIsRefusedBeforeAppending()
    {
        var harness = new DataPlaneHarness();
        TopicLogConfig strict = TopicLogConfig.Defaults(harness.Config) with { MinInsyncReplicas = 2 };
        harness.Assign(harness.Assignment(replicas: [LocalId, 2], isr: [LocalId], config: strict));
        Assert.Equal(Error(ErrorCode.NotEnoughReplicas), harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1), acks: -1))!.ErrorCode);
        Assert.Equal(0, harness.State().LogEndOffset);
        // acks=1 is appended, but KIP-966: the HW does not move while the ISR is below min.insync.replicas.
        Assert.Equal(Error(ErrorCode.None), harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1), acks: 1))!.ErrorCode);
        Assert.Equal((1L, 0L), (harness.State().LogEndOffset, harness.State().HighWatermark));
    }

    [Fact]
    public void AcksAllWithOneReplicaIsAnsweredAtOnce()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment());
        var answer = harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(4), acks: -1))!;
        Assert.Equal((Error(ErrorCode.None), 0L), (answer.ErrorCode, answer.BaseOffset));
    }

    [Fact]
    public void AcksAllTimesOutWhenTheFollowerNeverCatchesUp()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        RequestContext produce = harness.Produce(T0, TestBatches.Records(1), acks: -1, timeoutMs: 500);
        Assert.Null(harness.ProduceAnswer(produce));
        harness.AdvanceTo(499);
        Assert.Null(harness.ProduceAnswer(produce));
        harness.AdvanceTo(500);
        var answer = harness.ProduceAnswer(produce)!;
        Assert.Equal((Error(ErrorCode.RequestTimedOut), 0L), (answer.ErrorCode, answer.BaseOffset));
    }

    [Fact]
    public void AnAcksAllProduceWaitsWhileTheIsrIsBelowMinInsyncReplicas()
    {
        var harness = new DataPlaneHarness();
        TopicLogConfig strict = TopicLogConfig.Defaults(harness.Config) with { MinInsyncReplicas = 2 };
        harness.Assign(harness.Assignment(replicas: [LocalId, 2, 3], config: strict));
        RequestContext produce = harness.Produce(T0, TestBatches.Records(1), acks: -1, timeoutMs: 60_000);
        harness.Fetch(T0, 1, replicaId: 2);
        Assert.Null(harness.ProduceAnswer(produce)); // follower 3, in the ISR, has not fetched it
        harness.Assign(harness.Assignment(replicas: [LocalId, 2, 3], isr: [LocalId], partitionEpoch: 2, config: strict));
        harness.AdvanceTo(31_000); // long enough that follower 3 no longer counts as caught up
        Assert.Equal(0, harness.State().HighWatermark); // KIP-966: an ISR below min.insync.replicas commits nothing
        Assert.Null(harness.ProduceAnswer(produce));
        harness.Assign(harness.Assignment(replicas: [LocalId, 2, 3], isr: [LocalId, 2], partitionEpoch: 3, config: strict));
        Assert.Equal(Error(ErrorCode.None), harness.ProduceAnswer(produce)!.ErrorCode);
        Assert.Equal(1, harness.State().HighWatermark);
    }

    [Fact]
    public void LogAppendTimeTopicsAnswerWithTheBrokerClock()
    {
        var harness = new DataPlaneHarness(nowMs: 12_345);
        harness.Assign(harness.Assignment(config: TopicLogConfig.Defaults(harness.Config) with { MessageTimestampType = TimestampType.LogAppendTime }));
        Assert.Equal(12_345, harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1, timestampMs: 5)))!.LogAppendTimeMs);
        RecordBatchHeader stored = TestBatches.Headers(harness.Storage.Read(T0, 0, 1, 1 << 20)).Single();
        Assert.Equal(12_345, stored.MaxTimestamp);
    }

    [Fact]
    public void WithFlushBeforeAcknowledgeAcksOneWaitsForTheFlushAndAppendsShareOne()
    {
        var harness = new DataPlaneHarness(Configure(flushBeforeAcknowledge: true));
        harness.Assign(harness.Assignment());
        RequestContext[] produces = [.. Enumerable.Range(0, 3).Select(_ => harness.Produce(T0, TestBatches.Records(1)))];
        Assert.All(produces, produce => Assert.Null(harness.ProduceAnswer(produce)));
        Assert.Single(harness.Effects.OfType<NodeEffect.FlushLog>()); // group commit: the later appends wait for the next flush
        Assert.Equal(0, harness.State().HighWatermark);
        long durable = harness.Storage.Flush(T0);
        harness.Run(effects => harness.Node.OnLogFlushed(T0, durable, harness.NowMs, effects));
        Assert.All(produces, produce => Assert.Equal(Error(ErrorCode.None), harness.ProduceAnswer(produce)!.ErrorCode));
        Assert.Equal(3, harness.State().HighWatermark);
    }

    [Fact]
    public void AFlushThatCoversOnlySomeAppendsAnswersThoseAndAsksForTheRest()
    {
        var harness = new DataPlaneHarness(Configure(flushBeforeAcknowledge: true));
        harness.Assign(harness.Assignment());
        RequestContext first = harness.Produce(T0, TestBatches.Records(1));
        long durable = harness.Storage.Flush(T0);
        RequestContext second = harness.Produce(T0, TestBatches.Records(1));
        harness.Run(effects => harness.Node.OnLogFlushed(T0, durable, harness.NowMs, effects));
        Assert.NotNull(harness.ProduceAnswer(first));
        Assert.Null(harness.ProduceAnswer(second));
        Assert.Equal(2, harness.Effects.OfType<NodeEffect.FlushLog>().Count());
        Assert.Equal(1, harness.State().HighWatermark);
    }

    [Fact]
    public void TheNodesOwnAppendCallsBackOnceCommitted()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        var outcomes = new List<AppendOutcome>();
        harness.Run(effects => harness.Node.AppendAsLeader(T0, TestBatches.Records(2), harness.NowMs, effects, (outcome, _) => outcomes.Add(outcome)));
        Assert.Empty(outcomes);
        harness.Fetch(T0, 2, replicaId: 2);
        Assert.Equal(((short)0, 0L, 1L), (outcomes.Single().ErrorCode, outcomes.Single().BaseOffset, outcomes.Single().LastOffset));
        harness.Run(effects => harness.Node.AppendAsLeader(new TopicPartition("none", 0), TestBatches.Records(1), harness.NowMs, effects,
            (outcome, _) => outcomes.Add(outcome)));
        Assert.Equal(Error(ErrorCode.UnknownTopicOrPartition), outcomes[^1].ErrorCode);
    }
}
