using Reference.Broker.Storage;
using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Records;
using DiskUnderTest = Reference.Broker.Tests.Storage.DiskLogStorageContractTests.DiskUnderTest;

namespace Reference.Broker.Tests.Storage;

/// <summary>What survives a stop: clean, kill -9, a torn last write, a flipped byte, lost index files.</summary>
public sealed class DiskLogRecoveryTests
{
    private static readonly TopicPartition Log = new("orders", 3);

    private static List<byte[]> Fill(DiskUnderTest disk, int batchCount, int recordsPerBatch = 2)
    {
        var written = new List<byte[]>();
        for (int i = 0; i < batchCount; i++)
        {
            long offset = (long)i * recordsPerBatch;
            byte[] batch = Batches.Make(offset, recordsPerBatch, epoch: i / 4, timestampMs: 10_000 + offset);
            Assert.True(disk.Apply(new NodeEffect.AppendToLog(Log, offset, batch)));
            written.Add(batch);
        }
        return written;
    }

    private static string SegmentFile(DiskUnderTest disk, long baseOffset, string suffix = ".log") =>
        LogSegment.PathFor(disk.PartitionDirectory(Log), baseOffset, suffix);

    private static (LogExtent, IReadOnlyList<LogSegmentInfo>, IReadOnlyList<EpochStartOffset>, byte[]) Snapshot(DiskUnderTest disk) =>
        (disk.Reads.Extent(Log),
         disk.Reads.Segments(Log).Select(s => s with { CreatedAtMs = 0 }).ToList(),
         disk.Reads.LeaderEpochs(Log),
         disk.Reads.Read(Log, 0, long.MaxValue, int.MaxValue).ToArray());

    [Fact]
    public void ACleanStopKeepsEverythingAndIsTrustedWithoutAScan()
    {
        using var disk = new DiskUnderTest(segmentBytes: 400);
        Fill(disk, 20);
        var before = Snapshot(disk);
        disk.Reopen(clean: true);
        Assert.True(disk.Storage.WasCleanShutdown);
        var after = Snapshot(disk);
        Assert.Equal(before.Item1 with { DurableEndOffset = 40 }, after.Item1);
        Assert.Equal(before.Item2, after.Item2);
        Assert.Equal(before.Item3, after.Item3);
        Assert.Equal(before.Item4, after.Item4);
        Assert.Empty(disk.Warnings);
    }

    [Fact]
    public void AfterKillNineEveryValidBatchIsKeptAndTheLogIsDurableToItsEnd()
    {
        using var disk = new DiskUnderTest(segmentBytes: 400);
        List<byte[]> written = Fill(disk, 20);
        disk.Reopen(clean: false);
        Assert.False(disk.Storage.WasCleanShutdown);
        Assert.Equal(new LogExtent(0, 40, 40), disk.Reads.Extent(Log));
        Assert.Equal(written.SelectMany(b => b).ToArray(), disk.Reads.Read(Log, 0, 40, int.MaxValue).ToArray());
        Assert.True(disk.Apply(new NodeEffect.AppendToLog(Log, 40, Batches.Make(40, 1))), "the log goes on where it ended");
    }

    [Fact]
    public void ATornLastWriteIsCutAtTheLastWholeBatch()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20);
        List<byte[]> written = Fill(disk, 5);
        string segment = SegmentFile(disk, 0);
        disk.Reopen(clean: false, whileStopped: () =>
        {
            using var file = new FileStream(segment, FileMode.Open);
            file.SetLength(file.Length - written[^1].Length / 2);
        });
        Assert.Equal(new LogExtent(0, 8, 8), disk.Reads.Extent(Log));
        Assert.Equal(written.Take(4).Sum(b => b.Length), new FileInfo(segment).Length);
        Assert.Contains(disk.Warnings, w => w.Contains("torn", StringComparison.Ordinal));
    }

    [Fact]
    public void AFlippedByteCutsTheLogAtItsBatchAndDropsTheSegmentsAfter()
    {
        using var disk = new DiskUnderTest(segmentBytes: 400);
        List<byte[]> written = Fill(disk, 20);
        IReadOnlyList<LogSegmentInfo> segments = disk.Reads.Segments(Log);
        LogSegmentInfo damaged = segments[1];
        string segment = SegmentFile(disk, damaged.BaseOffset);
        int secondBatchLength = written[(int)damaged.BaseOffset / 2].Length;
        disk.Reopen(clean: false, whileStopped: () =>
        {
            using var file = new FileStream(segment, FileMode.Open);
            file.Position = secondBatchLength + RecordBatchLayout.RecordsAt + 3; // inside the segment's second batch, under its CRC
            int value = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(value ^ 0x40));
        });
        Assert.Equal(damaged.BaseOffset + 2, disk.Reads.Extent(Log).EndOffset);
        Assert.Equal(2, disk.Reads.Segments(Log).Count);
        Assert.False(File.Exists(SegmentFile(disk, segments[2].BaseOffset)));
        Assert.Contains(disk.Warnings, w => w.Contains("CrcMismatch", StringComparison.Ordinal));
    }

    [Fact]
    public void ACorruptBaseOffsetOutsideTheCrcIsCaughtBecauseBatchesMustFollowOn()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20);
        List<byte[]> written = Fill(disk, 4);
        string segment = SegmentFile(disk, 0);
        disk.Reopen(clean: false, whileStopped: () =>
        {
            using var file = new FileStream(segment, FileMode.Open);
            file.Position = written[0].Length + written[1].Length + 7; // the low byte of the third batch's BaseOffset
            file.WriteByte(99);
        });
        Assert.Equal(4, disk.Reads.Extent(Log).EndOffset);
    }

    [Fact]
    public void MissingOrGarbledIndexesAreRebuiltAndLookupsStillWork()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20, indexIntervalBytes: 150);
        Fill(disk, 30);
        string offsetIndex = SegmentFile(disk, 0, ".index");
        string timeIndex = SegmentFile(disk, 0, ".timeindex");
        byte[] goodOffsetIndex = File.ReadAllBytes(offsetIndex);
        byte[] goodTimeIndex = File.ReadAllBytes(timeIndex);
        Assert.True(goodOffsetIndex.Length >= 8 * 5, "the index has entries to lose");
        disk.Reopen(clean: true, whileStopped: () =>
        {
            File.Delete(offsetIndex);
            File.WriteAllBytes(timeIndex, [1, 2, 3]);
        });
        Assert.Equal(goodOffsetIndex, File.ReadAllBytes(offsetIndex));
        Assert.Equal(goodTimeIndex, File.ReadAllBytes(timeIndex));
        for (long offset = 0; offset < 60; offset += 5)
            Assert.Equal(offset / 2 * 2, Batches.BaseOffsets(disk.Reads.Read(Log, offset, 60, 1))[0]);
        Assert.Equal(20, disk.Reads.OffsetForTimestamp(Log, 10_020));
    }

    [Fact]
    public void TheIndexFilesHoldKafkasEntryFormats()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20, indexIntervalBytes: 0);
        List<byte[]> written = Fill(disk, 3);
        byte[] offsetIndex = File.ReadAllBytes(SegmentFile(disk, 0, ".index"));
        byte[] timeIndex = File.ReadAllBytes(SegmentFile(disk, 0, ".timeindex"));
        // Every batch indexed: (relative offset int32, position int32) and (max timestamp so far int64, relative offset int32).
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, (byte)written[0].Length }, offsetIndex[..16]);
        Assert.Equal(3 * 12, timeIndex.Length);
        Assert.Equal(10_003L, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(timeIndex.AsSpan(12)));
    }

    [Fact]
    public void TheLogStartOffsetSurvivesARestart()
    {
        using var disk = new DiskUnderTest(segmentBytes: 400);
        Fill(disk, 20);
        disk.Apply(new NodeEffect.AdvanceLogStart(Log, 17));
        long firstBase = disk.Reads.Segments(Log)[0].BaseOffset;
        disk.Reopen(clean: false);
        Assert.Equal(17, disk.Reads.Extent(Log).StartOffset);
        Assert.Equal(firstBase, disk.Reads.Segments(Log)[0].BaseOffset);
        Assert.Equal(firstBase, disk.Reads.LeaderEpochs(Log)[0].StartOffset);
    }

    [Fact]
    public void ADeletionInterruptedByACrashIsFinishedAtTheNextStart()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20);
        Fill(disk, 2);
        string leftover = disk.PartitionDirectory(Log) + ".0123-delete";
        disk.Reopen(clean: false, whileStopped: () => Directory.Move(disk.PartitionDirectory(Log), leftover));
        Assert.Empty(disk.Reads.Logs);
        Assert.False(Directory.Exists(leftover));
    }

    [Fact]
    public void SegmentsAlsoRollWithAge()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20, segmentMs: 1000);
        disk.NowMs = 0;
        disk.Apply(new NodeEffect.AppendToLog(Log, 0, Batches.Make(0, 1)));
        disk.NowMs = 999;
        disk.Apply(new NodeEffect.AppendToLog(Log, 1, Batches.Make(1, 1)));
        disk.NowMs = 1000;
        disk.Apply(new NodeEffect.AppendToLog(Log, 2, Batches.Make(2, 1)));
        Assert.Equal([0L, 2L], disk.Reads.Segments(Log).Select(s => s.BaseOffset));
        Assert.Equal(1000, disk.Reads.Segments(Log)[1].CreatedAtMs);
    }

    [Fact]
    public void AFlushThatATruncationOvertookPromisesOnlyWhatSurvivedIt()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20);
        Fill(disk, 5);
        FlushTicket ticket = disk.Storage.BeginFlush(Log)!;
        disk.Apply(new NodeEffect.TruncateLog(Log, 4));
        disk.Apply(new NodeEffect.AppendToLog(Log, 4, Batches.Make(4, 6)));
        ticket.Execute();
        CompletedFlush? completed = disk.Storage.CompleteFlush(ticket);
        Assert.Equal(new CompletedFlush(Log, 4), completed);
    }

    [Fact]
    public void FlushesOfOneLogWaitingTogetherShareOneFsync()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20);
        Fill(disk, 1);
        FlushTicket first = disk.Storage.BeginFlush(Log)!;
        disk.Apply(new NodeEffect.AppendToLog(Log, 2, Batches.Make(2, 2)));
        Assert.Null(disk.Storage.BeginFlush(Log));
        first.Execute();
        Assert.Equal(new CompletedFlush(Log, 4), disk.Storage.CompleteFlush(first));
    }

    [Fact]
    public void TwoStoragesCannotShareADirectory()
    {
        using var disk = new DiskUnderTest(segmentBytes: 1 << 20);
        IOException refused = Assert.Throws<IOException>(() => DiskLogStorage.Open(disk.Options, () => 0, _ => { }));
        Assert.Contains("in use by another broker", refused.Message, StringComparison.Ordinal);
    }
}
