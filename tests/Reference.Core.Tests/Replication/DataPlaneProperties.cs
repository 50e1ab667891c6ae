using FsCheck;
using FsCheck.Fluent;
using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Records;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

/// <summary>
/// Random interleavings of produces (acks 0, 1 and all), follower fetches, consumer fetches and time on a
/// leader with one follower. Whatever the order: offsets are dense and monotonic in the answers and in the
/// storage, log start ≤ HW ≤ LEO after every step, and no consumer ever reads past the HW.
/// </summary>
public sealed class DataPlaneProperties
{
    private const int CasesPerProperty = 150;
    private const int OperationsPerCaseMax = 40;
    private const int ProduceTimeoutMs = 5_000;

    private abstract record Operation;

    private sealed record Produce(int Records, short Acks) : Operation;

    /// <summary>The follower fetches <paramref name="Advance"/> offsets further than it has (up to the leader's end).</summary>
    private sealed record FollowerFetch(int Advance) : Operation;

    private sealed record ConsumerFetch(int OffsetPercent, sbyte IsolationLevel) : Operation;

    private sealed record Wait(int Ms) : Operation;

    private static readonly Gen<Operation> Operations = Gen.OneOf(
        from records in Gen.Choose(1, 5)
        from acks in Gen.Elements<short>(0, 1, -1)
        select (Operation)new Produce(records, acks),
        Gen.Choose(0, 8).Select(advance => (Operation)new FollowerFetch(advance)),
        from percent in Gen.Choose(0, 100)
        from isolation in Gen.Elements<sbyte>(0, 1)
        select (Operation)new ConsumerFetch(percent, isolation),
        Gen.Choose(0, 20_000).Select(ms => (Operation)new Wait(ms)));

    private static readonly Gen<Operation[]> Cases =
        from count in Gen.Choose(0, OperationsPerCaseMax)
        from operations in Gen.ArrayOf(Operations, count)
        select operations;

    [Fact]
    public void OffsetsStayDenseAndNoConsumerReadsPastTheHighWatermark()
    {
        Prop.ForAll(Arb.From(Cases), operations => Replay(operations))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(CasesPerProperty).WithQuietOnSuccess(true));
    }

    private static void Replay(Operation[] operations)
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(replicas: [LocalId, 2]));
        var produced = new List<(RequestContext Context, long ExpectedBaseOffset, int Records, short Acks)>();
        long followerOffset = 0;
        foreach (Operation operation in operations)
        {
            PartitionSnapshot before = harness.State();
            switch (operation)
            {
                case Produce produce:
                    produced.Add((harness.Produce(T0, TestBatches.Records(produce.Records), produce.Acks, ProduceTimeoutMs),
                        before.LogEndOffset, produce.Records, produce.Acks));
                    Assert.Equal(before.LogEndOffset + produce.Records, harness.State().LogEndOffset);
                    break;
                case FollowerFetch fetch:
                    followerOffset = Math.Min(before.LogEndOffset, followerOffset + fetch.Advance);
                    harness.Fetch(T0, followerOffset, replicaId: 2);
                    break;
                case ConsumerFetch fetch:
                    CheckConsumerFetch(harness, before.LogEndOffset * fetch.OffsetPercent / 100, fetch.IsolationLevel);
                    break;
                case Wait wait:
                    harness.AdvanceTo(harness.NowMs + wait.Ms);
                    break;
            }
            CheckWatermarks(harness);
        }
        CheckProduceAnswers(harness, produced);
        CheckStoredLogIsDense(harness);
    }

    private static void CheckConsumerFetch(DataPlaneHarness harness, long offset, sbyte isolationLevel)
    {
        var data = harness.FetchAnswer(harness.Fetch(T0, offset, isolationLevel: isolationLevel))!;
        Assert.Equal((short)0, data.ErrorCode);
        Assert.True(data.HighWatermark <= harness.State().LogEndOffset);
        List<RecordBatchHeader> batches = TestBatches.Headers(data.Records!.Value);
        Assert.All(batches, batch => Assert.True(batch.NextOffset <= data.HighWatermark, $"read {batch.LastOffset} past HW {data.HighWatermark}"));
        for (int i = 1; i < batches.Count; i++) Assert.Equal(batches[i - 1].NextOffset, batches[i].BaseOffset);
        if (batches.Count > 0) Assert.True(batches[0].BaseOffset <= offset && offset < batches[0].NextOffset);
    }

    private static void CheckWatermarks(DataPlaneHarness harness)
    {
        PartitionSnapshot state = harness.State();
        Assert.True(state.LogStartOffset <= state.HighWatermark && state.HighWatermark <= state.LogEndOffset, state.ToString());
        Assert.Equal(state.LogEndOffset, harness.Storage.Extent(T0).EndOffset);
    }

    private static void CheckProduceAnswers(DataPlaneHarness harness, List<(RequestContext Context, long ExpectedBaseOffset, int Records, short Acks)> produced)
    {
        long highWatermark = harness.State().HighWatermark;
        foreach ((RequestContext context, long expectedBaseOffset, int records, short acks) in produced)
        {
            var answer = harness.ProduceAnswer(context);
            if (acks == 0)
            {
                Assert.Null(answer);
                continue;
            }
            if (answer is null) continue; // an acks=all produce still waiting for its follower
            Assert.Equal(expectedBaseOffset, answer.BaseOffset);
            Assert.True(answer.ErrorCode is (short)ErrorCode.None or (short)ErrorCode.RequestTimedOut, $"error {answer.ErrorCode}");
            if (acks == -1 && answer.ErrorCode == 0) Assert.True(expectedBaseOffset + records <= highWatermark);
        }
    }

    private static void CheckStoredLogIsDense(DataPlaneHarness harness)
    {
        long endOffset = harness.State().LogEndOffset;
        List<RecordBatchHeader> stored = TestBatches.Headers(harness.Storage.Read(T0, 0, endOffset, int.MaxValue));
        long next = 0;
        foreach (RecordBatchHeader batch in stored)
        {
            Assert.Equal(next, batch.BaseOffset);
            Assert.Equal(batch.RecordCount - 1, batch.LastOffsetDelta);
            next = batch.NextOffset;
        }
        Assert.Equal(endOffset, next);
    }
}
