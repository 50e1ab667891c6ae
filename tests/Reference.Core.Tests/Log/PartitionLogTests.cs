using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Log;

public sealed class PartitionLogTests
{
    private static readonly TopicPartition Name = new("t", 0);

    private static PartitionLog EmptyLog() => new(Name, default, []);

    [Fact]
    public void AppendsGetDenseOffsetsAndTheLeaderEpochWithTheCrcStillValid()
    {
        PartitionLog log = EmptyLog();
        var effects = new Effects();
        AppendedBatch first = log.AppendAsLeader(TestBatches.Records(3), leaderEpoch: 4, logAppendTimeMs: null, effects);
        AppendedBatch second = log.AppendAsLeader(TestBatches.Records(2), leaderEpoch: 4, logAppendTimeMs: null, effects);
        Assert.Equal(new AppendedBatch(0, 2), first);
        Assert.Equal(new AppendedBatch(3, 4), second);
        Assert.Equal(5, log.LogEndOffset);
        var appends = effects.Drain().Cast<NodeEffect.AppendToLog>().ToList();
        Assert.Equal([0L, 3L], appends.Select(append => append.BaseOffset));
        RecordBatchHeader header = TestBatches.Headers(appends[1].Batches).Single();
        Assert.Equal((3L, 4), (header.BaseOffset, header.PartitionLeaderEpoch));
        Assert.True(RecordBatchValidator.Validate(appends[1].Batches, RecordBatchRules.ForStored(1 << 20)).IsValid);
        Assert.Equal([new EpochStartOffset(4, 0)], log.Epochs.Entries);
    }

    [Fact]
    public void LogAppendTimeStampsTheBrokerClockAndRecomputesTheCrc()
    {
        PartitionLog log = EmptyLog();
        var effects = new Effects();
        log.AppendAsLeader(TestBatches.Records(2, timestampMs: 5), leaderEpoch: 0, logAppendTimeMs: 777, effects);
        var append = (NodeEffect.AppendToLog)effects.Drain().Single();
        RecordBatchHeader header = TestBatches.Headers(append.Batches).Single();
        Assert.Equal((TimestampType.LogAppendTime, 777L), (header.TimestampType, header.MaxTimestamp));
        Assert.True(RecordBatchValidator.Validate(append.Batches, RecordBatchRules.ForStored(1 << 20)).IsValid);
    }

    [Fact]
    public void TheHighWatermarkNeverPassesTheLogEndNorGoesBack()
    {
        PartitionLog log = EmptyLog();
        log.AppendAsLeader(TestBatches.Records(3), 0, null, new Effects());
        Assert.True(log.TryAdvanceHighWatermark(2));
        Assert.False(log.TryAdvanceHighWatermark(1));
        Assert.Equal(2, log.HighWatermark);
        Assert.Throws<InvalidOperationException>(() => log.TryAdvanceHighWatermark(4));
    }

    [Fact]
    public void TheLogStartNeverPassesTheHighWatermark()
    {
        PartitionLog log = EmptyLog();
        var effects = new Effects();
        log.AppendAsLeader(TestBatches.Records(5), 0, null, effects);
        log.TryAdvanceHighWatermark(3);
        Assert.Throws<InvalidOperationException>(() => log.AdvanceStart(4, effects));
        log.AdvanceStart(3, effects);
        Assert.Equal(3, log.LogStartOffset);
        Assert.Equal(new NodeEffect.AdvanceLogStart(Name, 3), effects.Drain()[^1]);
    }

    [Fact]
    public void OneFlushIsOutAtATimeAndTheNextCoversWhatCameMeanwhile()
    {
        PartitionLog log = EmptyLog();
        var effects = new Effects();
        log.AppendAsLeader(TestBatches.Records(1), 0, null, effects);
        log.RequestFlush(effects);
        log.AppendAsLeader(TestBatches.Records(1), 0, null, effects);
        log.RequestFlush(effects);
        Assert.Single(effects.Drain().OfType<NodeEffect.FlushLog>());
        Assert.True(log.OnFlushed(1));
        log.RequestFlush(effects);
        Assert.Single(effects.Drain().OfType<NodeEffect.FlushLog>());
        Assert.True(log.OnFlushed(2));
        log.RequestFlush(effects);
        Assert.Empty(effects.Drain());
    }

    [Fact]
    public void ALoadedLogVouchesForNothingUntilItsReplicasReportIn()
    {
        var log = new PartitionLog(Name, new LogExtent(10, 50, 40), [new EpochStartOffset(2, 10)]);
        Assert.Equal((10L, 50L, 40L, 10L), (log.LogStartOffset, log.LogEndOffset, log.DurableEndOffset, log.HighWatermark));
        Assert.Equal(2, log.Epochs.LatestEpoch);
    }
}
