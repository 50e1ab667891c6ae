using Reference.Core.Producers;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Producers;

public sealed class ProducerStateTableTests
{
    private static RecordBatchHeader Header(byte[] batch) => RecordBatchHeader.Read(batch);

    /// <summary>Checks, then (when accepted) records the batch at <paramref name="firstOffset"/>, as the leader does.</summary>
    private static ProducerCheck Append(ProducerStateTable table, byte[] batch, long firstOffset)
    {
        RecordBatchHeader header = Header(batch);
        ProducerCheck check = table.Check(header);
        if (check.Verdict == ProducerVerdict.Append) table.Record(header, firstOffset, firstOffset + header.LastOffsetDelta, header.MaxTimestamp);
        return check;
    }

    [Fact]
    public void BatchesWithoutAProducerIdAreNeverChecked()
    {
        var table = new ProducerStateTable();
        // kafkajs writes non-idempotent batches with producer id -1, epoch 0 and sequence 0, again and again.
        for (int i = 0; i < 3; i++) Assert.Equal(ProducerVerdict.Append, Append(table, TestBatches.Records(1, producerEpoch: 0, baseSequence: 0), i).Verdict);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void ANewProducerMayStartAtAnySequenceThenMustFollowOn()
    {
        var table = new ProducerStateTable();
        Assert.Equal(ProducerVerdict.Append, Append(table, TestBatches.Idempotent(7, 0, baseSequence: 40, count: 3), 0).Verdict);
        Assert.Equal(ProducerVerdict.Append, Append(table, TestBatches.Idempotent(7, 0, baseSequence: 43), 3).Verdict);
        ProducerCheck gap = Append(table, TestBatches.Idempotent(7, 0, baseSequence: 45), 4);
        Assert.Equal((ProducerVerdict.Refuse, ErrorCode.OutOfOrderSequenceNumber), (gap.Verdict, gap.Error));
    }

    [Fact]
    public void ARetryOfOneOfTheLastFiveGetsItsOriginalOffsets()
    {
        var table = new ProducerStateTable();
        for (int i = 0; i < 6; i++) Append(table, TestBatches.Idempotent(7, 0, baseSequence: i * 2, count: 2), firstOffset: 100 + i * 10);
        ProducerCheck retry = table.Check(Header(TestBatches.Idempotent(7, 0, baseSequence: 2, count: 2)));
        Assert.Equal(ProducerVerdict.Duplicate, retry.Verdict);
        Assert.Equal((110L, 111L), (retry.Original.FirstOffset, retry.Original.LastOffset));
        // The sixth batch back is forgotten: a retry of it is out of order, never appended twice.
        ProducerCheck tooOld = table.Check(Header(TestBatches.Idempotent(7, 0, baseSequence: 0, count: 2)));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, tooOld.Error);
    }

    [Fact]
    public void AnOlderEpochIsFencedAndANewOneStartsAtZero()
    {
        var table = new ProducerStateTable();
        Append(table, TestBatches.Idempotent(7, 3, baseSequence: 0), 0);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, table.Check(Header(TestBatches.Idempotent(7, 2, baseSequence: 1))).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, table.Check(Header(TestBatches.Idempotent(7, 4, baseSequence: 5))).Error);
        Assert.Equal(ProducerVerdict.Append, Append(table, TestBatches.Idempotent(7, 4, baseSequence: 0), 1).Verdict);
        Assert.Equal((short)4, table.Entry(7)!.ProducerEpoch);
    }

    [Fact]
    public void SequencesWrapAtIntMax()
    {
        var table = new ProducerStateTable();
        Append(table, TestBatches.Idempotent(7, 0, baseSequence: int.MaxValue - 1, count: 2), 0);
        Assert.Equal(int.MaxValue, table.Entry(7)!.LastSequence);
        Assert.Equal(ProducerVerdict.Append, Append(table, TestBatches.Idempotent(7, 0, baseSequence: 0), 2).Verdict);
        Assert.Equal(2, ProducerSequence.LastOf(int.MaxValue - 1, 4));
    }

    [Fact]
    public void ProducersAreForgottenWhenSilentTooLongOrBelowTheLogStart()
    {
        var table = new ProducerStateTable();
        Append(table, TestBatches.Records(1, timestampMs: 1_000, producerId: 1, producerEpoch: 0, baseSequence: 0), 0);
        Append(table, TestBatches.Records(1, timestampMs: 50_000_000, producerId: 2, producerEpoch: 0, baseSequence: 0), 1);
        table.RemoveExpired(nowMs: 1_000 + ProducerStateTable.ExpirationMs);
        Assert.Null(table.Entry(1));
        Assert.NotNull(table.Entry(2));
        table.TruncateHead(logStartOffset: 2);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void TheTableIsBoundedByForgettingTheProducerIdleLongest()
    {
        var table = new ProducerStateTable();
        for (long id = 0; id <= ProducerStateTable.ProducersMax; id++)
            Append(table, TestBatches.Records(1, timestampMs: 10 + id, producerId: id, producerEpoch: 0, baseSequence: 0), id);
        Assert.Equal(ProducerStateTable.ProducersMax, table.Count);
        Assert.Null(table.Entry(0));
        Assert.NotNull(table.Entry(ProducerStateTable.ProducersMax));
    }
}
