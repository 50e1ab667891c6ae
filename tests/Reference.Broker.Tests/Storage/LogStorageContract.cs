using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;

namespace Reference.Broker.Tests.Storage;

/// <summary>A storage under test, as the shell drives it: reads, effects, flushes and a clock for new segments.</summary>
public interface ILogStorageUnderTest : IDisposable
{
    ILogStorage Reads { get; }

    long NowMs { set; }

    bool Apply(NodeEffect effect);

    long Flush(TopicPartition log);
}

/// <summary>
/// What every ILogStorage must do, written once and run against the simulator's MemoryLogStorage and the
/// broker's DiskLogStorage: the disk must behave as the model the simulator checks the core against.
/// </summary>
public abstract class LogStorageContract
{
    protected static readonly TopicPartition Log = new("t", 0);

    protected abstract ILogStorageUnderTest Create(long segmentBytes = 1L << 30);

    private static NodeEffect Append(long baseOffset, byte[] batches) => new NodeEffect.AppendToLog(Log, baseOffset, batches);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public void AppendsAreReadableAtOnceAndDurableOnlyAfterFlush()
    {
        using ILogStorageUnderTest storage = Create();
        Assert.True(storage.Apply(Append(0, Batches.Make(0, 3))));
        Assert.Equal(new LogExtent(0, 3, 0), storage.Reads.Extent(Log));
        Assert.Equal([0L], Batches.BaseOffsets(storage.Reads.Read(Log, 0, 3, 1 << 20)));
        Assert.Equal(3, storage.Flush(Log));
        Assert.Equal(new LogExtent(0, 3, 3), storage.Reads.Extent(Log));
    }

    [Fact]
    public void AnAppendThatDoesNotStartAtTheEndIsRefused()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(Append(0, Batches.Make(0, 2)));
        Assert.False(storage.Apply(Append(5, Batches.Make(5, 1))), "a gap must be refused");
        Assert.False(storage.Apply(Append(1, Batches.Make(1, 1))), "an overlap must be refused");
        Assert.Equal(2, storage.Reads.Extent(Log).EndOffset);
    }

    [Fact]
    public void SeveralBatchesInOneAppendFollowOnFromEachOther()
    {
        using ILogStorageUnderTest storage = Create();
        Assert.True(storage.Apply(Append(0, Concat(Batches.Make(0, 2), Batches.Make(2, 3), Batches.Make(5, 1)))));
        Assert.Equal(6, storage.Reads.Extent(Log).EndOffset);
        Assert.Equal([0L, 2L, 5L], Batches.BaseOffsets(storage.Reads.Read(Log, 0, 6, 1 << 20)));
    }

    [Fact]
    public void LogsAreListedInTopicPartitionOrderAndUnknownOnesAreEmpty()
    {
        using ILogStorageUnderTest storage = Create();
        foreach (TopicPartition log in new TopicPartition[] { new("b", 0), new("a", 1), new("a", 0) })
            storage.Apply(new NodeEffect.AppendToLog(log, 0, Batches.Make(0, 1)));
        Assert.Equal([new("a", 0), new("a", 1), new("b", 0)], storage.Reads.Logs);
        Assert.Equal(default, storage.Reads.Extent(new TopicPartition("none", 0)));
        Assert.True(storage.Reads.Read(new TopicPartition("none", 0), 0, 10, 100).IsEmpty);
    }

    [Fact]
    public void TruncationRemovesWholeBatchesAndTheirEpochs()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(Append(0, Batches.Make(0, 2)));
        storage.Apply(Append(2, Batches.Make(2, 3, epoch: 1)));
        storage.Flush(Log);
        storage.Apply(new NodeEffect.TruncateLog(Log, 3));
        Assert.Equal(new LogExtent(0, 2, 2), storage.Reads.Extent(Log));
        Assert.Equal([new EpochStartOffset(0, 0)], storage.Reads.LeaderEpochs(Log));
        Assert.True(storage.Apply(Append(2, Batches.Make(2, 1, epoch: 2))), "the log continues from its new end");
        Assert.Equal([new EpochStartOffset(0, 0), new EpochStartOffset(2, 2)], storage.Reads.LeaderEpochs(Log));
    }

    [Fact]
    public void TruncationAcrossSegmentsDropsTheSegmentsPastIt()
    {
        using ILogStorageUnderTest storage = Create(segmentBytes: 200);
        for (long offset = 0; offset < 10; offset += 2) storage.Apply(Append(offset, Batches.Make(offset, 2)));
        int segmentsBefore = storage.Reads.Segments(Log).Count;
        Assert.True(segmentsBefore > 2);
        storage.Apply(new NodeEffect.TruncateLog(Log, 4));
        Assert.Equal(4, storage.Reads.Extent(Log).EndOffset);
        Assert.Equal(4, storage.Reads.Segments(Log)[^1].EndOffset);
        Assert.Equal([0L, 2L], Batches.BaseOffsets(storage.Reads.Read(Log, 0, 100, 1 << 20)));
    }

    [Fact]
    public void ReadStopsAtTheBoundAndAlwaysReturnsOneBatch()
    {
        using ILogStorageUnderTest storage = Create();
        byte[] first = Batches.Make(0, 2);
        storage.Apply(Append(0, first));
        storage.Apply(Append(2, Batches.Make(2, 2)));
        Assert.Equal(first.Length, storage.Reads.Read(Log, 1, 4, maxBytes: 1).Length);
        Assert.Equal(first.Length, storage.Reads.Read(Log, 0, endOffsetExclusive: 2, maxBytes: 1 << 20).Length);
        Assert.True(storage.Reads.Read(Log, 0, endOffsetExclusive: 1, maxBytes: 1 << 20).IsEmpty, "a batch that ends past the bound is not returned");
        Assert.True(storage.Reads.Read(Log, 4, 10, 100).IsEmpty);
        Assert.True(storage.Reads.Read(Log, 1L << 40, long.MaxValue, 100).IsEmpty, "far past the end is empty, not an error");
    }

    [Fact]
    public void ReadsReturnTheStoredBytesExactlyAcrossSegments()
    {
        using ILogStorageUnderTest storage = Create(segmentBytes: 300);
        var all = new List<byte>();
        for (long offset = 0; offset < 30; offset += 3)
        {
            byte[] batch = Batches.Make(offset, 3, timestampMs: 5000 + offset);
            storage.Apply(Append(offset, batch));
            all.AddRange(batch);
        }
        Assert.True(storage.Reads.Segments(Log).Count > 3);
        Assert.Equal(all.ToArray(), storage.Reads.Read(Log, 0, 30, 1 << 20).ToArray());
        Assert.Equal(all.Count / 10 * 2, storage.Reads.Read(Log, 0, 30, all.Count / 10 * 2).Length);
        Assert.Equal([9L, 12L, 15L], Batches.BaseOffsets(storage.Reads.Read(Log, 10, 18, 1 << 20)));
    }

    [Fact]
    public void EveryOffsetIsFoundInTheBatchThatHoldsIt()
    {
        using ILogStorageUnderTest storage = Create(segmentBytes: 4000);
        for (long offset = 0; offset < 600; offset += 3) storage.Apply(Append(offset, Batches.Make(offset, 3, valueBytes: 40)));
        for (long offset = 0; offset < 600; offset += 7)
            Assert.Equal(offset / 3 * 3, Batches.BaseOffsets(storage.Reads.Read(Log, offset, 600, maxBytes: 1))[0]);
    }

    [Fact]
    public void SegmentsRollAtTheSizeLimitAndDescribeThemselves()
    {
        using ILogStorageUnderTest storage = Create(segmentBytes: 250);
        storage.NowMs = 7;
        var sizes = new List<int>();
        for (long offset = 0; offset < 8; offset += 2)
        {
            byte[] batch = Batches.Make(offset, 2, timestampMs: 100 * offset);
            sizes.Add(batch.Length);
            storage.Apply(Append(offset, batch));
        }
        IReadOnlyList<LogSegmentInfo> segments = storage.Reads.Segments(Log);
        Assert.True(segments.Count >= 2);
        Assert.Equal(0, segments[0].BaseOffset);
        Assert.Equal(8, segments[^1].EndOffset);
        for (int i = 1; i < segments.Count; i++) Assert.Equal(segments[i - 1].EndOffset, segments[i].BaseOffset);
        Assert.All(segments, s => Assert.True(s.SizeBytes <= 250 || s.EndOffset - s.BaseOffset == 2));
        Assert.Equal(sizes.Sum(), segments.Sum(s => s.SizeBytes));
        Assert.Equal(601, segments[^1].MaxTimestampMs);
        Assert.All(segments, s => Assert.Equal(7, s.CreatedAtMs));
    }

    [Fact]
    public void AdvancingTheStartDeletesOnlyWholeSegmentsBelowIt()
    {
        using ILogStorageUnderTest storage = Create(segmentBytes: 200);
        for (long offset = 0; offset < 12; offset += 2) storage.Apply(Append(offset, Batches.Make(offset, 2, epoch: (int)offset / 4)));
        IReadOnlyList<LogSegmentInfo> before = storage.Reads.Segments(Log);
        long newStart = before[2].BaseOffset + 1;
        storage.Apply(new NodeEffect.AdvanceLogStart(Log, newStart));
        Assert.Equal(newStart, storage.Reads.Extent(Log).StartOffset);
        Assert.Equal(before[2].BaseOffset, storage.Reads.Segments(Log)[0].BaseOffset);
        Assert.Equal(before[2].BaseOffset, Batches.BaseOffsets(storage.Reads.Read(Log, 0, 12, 1))[0]);
        Assert.Equal(before[2].BaseOffset, storage.Reads.LeaderEpochs(Log)[0].StartOffset);
        storage.Apply(new NodeEffect.AdvanceLogStart(Log, 2));
        Assert.Equal(newStart, storage.Reads.Extent(Log).StartOffset);
    }

    [Fact]
    public void TheStartNeverPassesTheEnd()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(Append(0, Batches.Make(0, 2)));
        storage.Apply(new NodeEffect.AdvanceLogStart(Log, 50));
        Assert.Equal(new LogExtent(2, 2, 0), storage.Reads.Extent(Log));
    }

    [Fact]
    public void TimeLookupsFindTheFirstBatchAtOrAfterTheTimestamp()
    {
        using ILogStorageUnderTest storage = Create(segmentBytes: 300);
        for (long offset = 0; offset < 40; offset += 2) storage.Apply(Append(offset, Batches.Make(offset, 2, timestampMs: 1000 + offset * 10)));
        Assert.Equal(0, storage.Reads.OffsetForTimestamp(Log, 0));
        Assert.Equal(2, storage.Reads.OffsetForTimestamp(Log, 1010));
        Assert.Equal(10, storage.Reads.OffsetForTimestamp(Log, 1100));
        Assert.Equal(10, storage.Reads.OffsetForTimestamp(Log, 1095));
        Assert.Equal(38, storage.Reads.OffsetForTimestamp(Log, 1381));
        Assert.Null(storage.Reads.OffsetForTimestamp(Log, 1382));
        storage.Apply(new NodeEffect.AdvanceLogStart(Log, 21));
        Assert.Equal(21, storage.Reads.OffsetForTimestamp(Log, 0));
    }

    [Fact]
    public void LeaderEpochsStartWhereTheirFirstBatchStarts()
    {
        using ILogStorageUnderTest storage = Create(segmentBytes: 200);
        int[] epochs = [0, 0, 1, 1, 1, 3, 3, 4];
        for (int i = 0; i < epochs.Length; i++) storage.Apply(Append(i * 2, Batches.Make(i * 2, 2, epoch: epochs[i])));
        Assert.Equal([new EpochStartOffset(0, 0), new EpochStartOffset(1, 4), new EpochStartOffset(3, 10), new EpochStartOffset(4, 14)],
            storage.Reads.LeaderEpochs(Log));
    }

    [Fact]
    public void ADeletedLogIsGone()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(Append(0, Batches.Make(0, 2)));
        storage.Apply(new NodeEffect.DeleteLog(Log));
        Assert.Empty(storage.Reads.Logs);
        Assert.Equal(default, storage.Reads.Extent(Log));
        Assert.True(storage.Apply(Append(0, Batches.Make(0, 1))), "a log of the same name starts afresh");
    }

    private static readonly Core.Raft.OffsetAndEpoch SnapshotAt10 = new(10, 2);
    private static readonly Core.Raft.OffsetAndEpoch SnapshotAt4 = new(4, 1);

    private static byte[] SnapshotBytes(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void SnapshotsAreListedByEndOffsetAndReadByByteRange()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(new NodeEffect.WriteSnapshot(Log, SnapshotAt10, SnapshotBytes(300)));
        storage.Apply(new NodeEffect.WriteSnapshot(Log, SnapshotAt4, SnapshotBytes(20)));
        storage.Flush(Log);

        Assert.Equal([new SnapshotInfo(SnapshotAt4, 20, true), new SnapshotInfo(SnapshotAt10, 300, true)], storage.Reads.Snapshots(Log));
        Assert.Equal(SnapshotBytes(300)[100..150], storage.Reads.ReadSnapshot(Log, SnapshotAt10, 100, 50).ToArray());
        Assert.Equal(SnapshotBytes(300)[250..], storage.Reads.ReadSnapshot(Log, SnapshotAt10, 250, 1000).ToArray());
        Assert.True(storage.Reads.ReadSnapshot(Log, SnapshotAt10, 300, 10).IsEmpty);
        Assert.True(storage.Reads.ReadSnapshot(Log, new Core.Raft.OffsetAndEpoch(10, 3), 0, 10).IsEmpty);
        Assert.Empty(storage.Reads.Snapshots(new TopicPartition("none", 0)));
    }

    [Fact]
    public void SnapshotIsDurableOnceTheLogIsFlushed()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(Append(0, Batches.Make(0, 2)));
        storage.Apply(new NodeEffect.WriteSnapshot(Log, SnapshotAt4, SnapshotBytes(20)));
        storage.Flush(Log);

        Assert.True(Assert.Single(storage.Reads.Snapshots(Log)).IsDurable);
    }

    [Fact]
    public void ASnapshotIdIsWrittenOnceAndDeletedWhole()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(new NodeEffect.WriteSnapshot(Log, SnapshotAt4, SnapshotBytes(20)));
        storage.Apply(new NodeEffect.WriteSnapshot(Log, SnapshotAt4, SnapshotBytes(40)));
        storage.Flush(Log);
        Assert.Equal(20, Assert.Single(storage.Reads.Snapshots(Log)).SizeBytes);

        storage.Apply(new NodeEffect.DeleteSnapshot(Log, SnapshotAt4));

        Assert.Empty(storage.Reads.Snapshots(Log));
        Assert.True(storage.Reads.ReadSnapshot(Log, SnapshotAt4, 0, 10).IsEmpty);
    }

    [Fact]
    public void TruncateFullyLeavesAnEmptyLogStartingAtTheOffset()
    {
        using ILogStorageUnderTest storage = Create();
        storage.Apply(Append(0, Batches.Make(0, 3, epoch: 1)));
        storage.Flush(Log);

        storage.Apply(new NodeEffect.TruncateFullyAndStartAt(Log, 10));

        Assert.Equal(new LogExtent(10, 10, 10), storage.Reads.Extent(Log));
        Assert.Empty(storage.Reads.LeaderEpochs(Log));
        Assert.True(storage.Reads.Read(Log, 0, 10, 1 << 20).IsEmpty);
        Assert.True(storage.Apply(Append(10, Batches.Make(10, 2, epoch: 3))));
        Assert.Equal([10L], Batches.BaseOffsets(storage.Reads.Read(Log, 10, 12, 1 << 20)));
        Assert.Equal([new EpochStartOffset(3, 10)], storage.Reads.LeaderEpochs(Log));
        Assert.Equal(12, storage.Flush(Log));
    }
}
