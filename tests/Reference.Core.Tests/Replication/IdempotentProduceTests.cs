using Reference.Core.Node;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

public sealed class IdempotentProduceTests
{
    private static DataPlaneHarness Leader(params int[] replicas)
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: replicas.Length == 0 ? [LocalId] : replicas));
        return harness;
    }

    [Fact]
    public void RetriesOfTheLastFiveBatchesGetTheirOriginalOffsetsAndAppendNothing()
    {
        DataPlaneHarness harness = Leader();
        var original = new List<long>();
        for (int sequence = 0; sequence < 6; sequence++)
            original.Add(harness.ProduceAnswer(harness.Produce(T0, TestBatches.Idempotent(11, 0, sequence * 2, count: 2)))!.BaseOffset);
        for (int sequence = 1; sequence < 6; sequence++)
        {
            var retry = harness.ProduceAnswer(harness.Produce(T0, TestBatches.Idempotent(11, 0, sequence * 2, count: 2)))!;
            Assert.Equal(((short)0, original[sequence]), (retry.ErrorCode, retry.BaseOffset));
        }
        Assert.Equal(12, harness.State().LogEndOffset);
        // The sixth batch back is no longer remembered: refused, never appended twice.
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber,
            harness.ProduceAnswer(harness.Produce(T0, TestBatches.Idempotent(11, 0, 0, count: 2)))!.ErrorCode);
        Assert.Equal(12, harness.Storage.Extent(T0).EndOffset);
    }

    [Fact]
    public void AGapInTheSequenceIsRefused()
    {
        DataPlaneHarness harness = Leader();
        harness.Produce(T0, TestBatches.Idempotent(11, 0, 0));
        var gap = harness.ProduceAnswer(harness.Produce(T0, TestBatches.Idempotent(11, 0, 2)))!;
        Assert.Equal(((short)ErrorCode.OutOfOrderSequenceNumber, -1L), (gap.ErrorCode, gap.BaseOffset));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch,
            harness.ProduceAnswer(harness.Produce(T0, TestBatches.Records(1, producerId: 11, producerEpoch: -1, baseSequence: 1)))!.ErrorCode);
        Assert.Equal(1, harness.State().LogEndOffset);
    }

    [Fact]
    public void BatchesWithoutAProducerIdAreAppendedEveryTime()
    {
        DataPlaneHarness harness = Leader();
        byte[] kafkajsStyle = TestBatches.Records(1, producerId: -1, producerEpoch: 0, baseSequence: 0);
        for (int i = 0; i < 3; i++) Assert.Equal(i, harness.ProduceAnswer(harness.Produce(T0, kafkajsStyle))!.BaseOffset);
    }

    [Fact]
    public void AnAcksAllRetryWaitsForTheOriginalToBeCommitted()
    {
        DataPlaneHarness harness = Leader(LocalId, 2);
        RequestContext first = harness.Produce(T0, TestBatches.Idempotent(11, 0, 0, count: 3), acks: -1);
        RequestContext retry = harness.Produce(T0, TestBatches.Idempotent(11, 0, 0, count: 3), acks: -1);
        Assert.Null(harness.ProduceAnswer(retry));
        harness.Fetch(T0, 3, replicaId: 2);
        Assert.Equal(((short)0, 0L), (harness.ProduceAnswer(first)!.ErrorCode, harness.ProduceAnswer(first)!.BaseOffset));
        Assert.Equal(((short)0, 0L), (harness.ProduceAnswer(retry)!.ErrorCode, harness.ProduceAnswer(retry)!.BaseOffset));
        Assert.Equal(3, harness.State().LogEndOffset);
    }
}
