using System.Buffers.Binary;
using FsCheck.Fluent;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;
using static Reference.Protocol.Tests.Records.RecordBatchSamples;

namespace Reference.Protocol.Tests.Records;

public sealed class RecordBatchValidatorTests
{
    private static readonly RecordBatchRules s_produce = RecordBatchRules.ForProduce(int.MaxValue);
    private static readonly RecordBatchRules s_stored = RecordBatchRules.ForStored(int.MaxValue);

    private static RecordBatchError ErrorOf(byte[] records, RecordBatchRules rules) =>
        RecordBatchValidator.Validate(records, rules).Error;

    [Fact]
    public void BuiltBatchesOfEveryCodecAreValid()
    {
        foreach (CompressionType codec in AllCodecs)
        {
            RecordsValidation result = RecordBatchValidator.Validate(Simple(5, codec), s_produce);
            Assert.True(result.IsValid, $"{codec}: {result.Error}");
            Assert.Equal(1, result.BatchCount);
            Assert.Equal(5, result.RecordCount);
        }
    }

    [Fact]
    public void BlobOfSeveralBatchesIsCountedWhole()
    {
        byte[] blob = Blob(Simple(1), Simple(4, CompressionType.Gzip), Simple(2));
        RecordsValidation result = RecordBatchValidator.Validate(blob, s_stored);
        Assert.Equal(new RecordsValidation(RecordBatchError.None, blob.Length, 3, 7), result);
    }

    [Fact]
    public void EmptyBlobIsValidWithNoBatches() =>
        Assert.Equal(new RecordsValidation(RecordBatchError.None, 0, 0, 0), RecordBatchValidator.Validate(Array.Empty<byte>(), s_stored));

    [Fact]
    public void MagicOtherThanTwoIsUnsupported()
    {
        Assert.Equal(RecordBatchError.UnsupportedMagic, ErrorOf(With(Simple(), b => b[16] = 1), s_stored));
        Assert.Equal(RecordBatchError.UnsupportedMagic, ErrorOf(With(Simple(), b => b[16] = 3), s_stored));
    }

    [Theory]
    [InlineData(48)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BatchLengthBelowAnEmptyHeaderIsRefused(int batchLength) =>
        Assert.Equal(RecordBatchError.BatchLengthTooSmall, ErrorOf(WithInt32(Simple(), 8, batchLength), s_stored));

    [Theory]
    [InlineData(1)]
    [InlineData(int.MaxValue - 100)] // must not overflow into a small size
    public void BatchLengthPastTheBytesIsTruncated(int extra)
    {
        byte[] batch = Simple();
        int declared = (int)Math.Min(int.MaxValue, (long)batch.Length - 12 + extra);
        Assert.Equal(RecordBatchError.Truncated, ErrorOf(WithInt32(batch, 8, declared), s_stored));
    }

    [Fact]
    public void BatchOverTheStatedMaximumIsTooLarge()
    {
        byte[] batch = Simple();
        Assert.True(RecordBatchValidator.Validate(batch, RecordBatchRules.ForProduce(batch.Length)).IsValid);
        Assert.Equal(RecordBatchError.BatchTooLarge, ErrorOf(batch, RecordBatchRules.ForProduce(batch.Length - 1)));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void CodecBitsThatNameNoCodecAreRefused(short codec) =>
        Assert.Equal(RecordBatchError.UnknownCompressionType,
            ErrorOf(WithField(Simple(), 21, span => BinaryPrimitives.WriteInt16BigEndian(span, codec)), s_stored));

    [Fact]
    public void NegativeRecordCountIsRefused() =>
        Assert.Equal(RecordBatchError.InvalidRecordCount, ErrorOf(WithInt32(Simple(), 57, -1), s_stored));

    [Fact]
    public void ProducedBatchWithoutRecordsIsRefusedButAStoredOneIsNot()
    {
        // An empty batch is what compaction leaves to keep a producer's state (KIP-98); producers never send one.
        byte[] empty = WithInt32(WithInt32(Simple(1)[..61], 8, 49), 57, 0);
        Assert.Equal(RecordBatchError.InvalidRecordCount, ErrorOf(empty, s_produce));
        Assert.Equal(RecordBatchError.None, ErrorOf(empty, s_stored));
    }

    [Fact]
    public void OffsetGapsAreRefusedOnProduceAndAllowedAfterCompaction()
    {
        byte[] gapped = WithInt32(Simple(3), 23, 5); // three records spread over six offsets
        Assert.Equal(RecordBatchError.InvalidOffsetDelta, ErrorOf(gapped, s_produce));
        Assert.Equal(RecordBatchError.None, ErrorOf(gapped, s_stored));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)] // three records cannot fit in two offsets
    public void LastOffsetDeltaThatCannotHoldTheRecordsIsRefused(int lastOffsetDelta) =>
        Assert.Equal(RecordBatchError.InvalidOffsetDelta, ErrorOf(WithInt32(Simple(3), 23, lastOffsetDelta), s_stored));

    [Fact]
    public void OffsetsPastInt64AreRefused()
    {
        byte[] batch = Simple(3, baseOffset: long.MaxValue - 2);
        Assert.Equal(RecordBatchError.OffsetOverflow, ErrorOf(batch, s_stored));
        Assert.Equal(RecordBatchError.None, ErrorOf(Simple(3, baseOffset: long.MaxValue - 3), s_stored));
    }

    [Theory]
    [InlineData(4)] // claims one more record than it holds
    [InlineData(2)] // leaves a record unaccounted for
    public void RecordCountThatDisagreesWithTheRecordsIsRefused(int claimedCount)
    {
        byte[] batch = WithInt32(WithInt32(Simple(3), 23, 5), 57, claimedCount);
        Assert.Equal(RecordBatchError.RecordCountMismatch, ErrorOf(batch, s_stored));
    }

    [Fact]
    public void RecordLengthTooSmallForARecordIsMalformed() =>
        Assert.Equal(RecordBatchError.MalformedRecord, ErrorOf(WithField(Simple(3), 61, span => span[0] = 2), s_stored)); // zigzag 1

    [Fact]
    public void FaultIsReportedWhereItsBatchStarts()
    {
        byte[] first = Simple(2);
        byte[] blob = Blob(first, With(Simple(2), b => b[30] ^= 1), Simple(2));
        RecordsValidation result = RecordBatchValidator.Validate(blob, s_stored);
        Assert.Equal(new RecordsValidation(RecordBatchError.CrcMismatch, first.Length, 1, 2), result);
    }

    [Fact]
    public void FlippedByteInTheCrcCoveredRegionIsDetected()
    {
        // Every byte from the CRC field on: either the stored CRC or the bytes it covers changed.
        foreach (CompressionType codec in AllCodecs)
        {
            byte[] batch = Simple(4, codec);
            var positions = Gen.Choose(17, batch.Length - 1).ToArbitrary();
            var masks = Gen.Choose(1, 255).ToArbitrary();
            PropertyRuns.Check(Prop.ForAll(positions, masks, (position, mask) =>
                ErrorOf(With(batch, b => b[position] ^= (byte)mask), s_stored) == RecordBatchError.CrcMismatch), caseCount: 300);
        }
    }

    [Fact]
    public void PatchingBaseOffsetAndLeaderEpochKeepsTheCrcValid()
    {
        var offsets = Gen.Choose(0, int.MaxValue).Select(high => (long)high << 16).ToArbitrary();
        var epochs = Gen.Choose(-1, int.MaxValue).ToArbitrary();
        byte[] original = Simple(4, CompressionType.Lz4);
        PropertyRuns.Check(Prop.ForAll(offsets, epochs, (baseOffset, epoch) =>
        {
            byte[] batch = (byte[])original.Clone();
            RecordBatchPatch.SetBaseOffset(batch, baseOffset);
            RecordBatchPatch.SetPartitionLeaderEpoch(batch, epoch);
            RecordBatchHeader header = RecordBatchHeader.Read(batch);
            return ErrorOf(batch, s_produce) == RecordBatchError.None
                && header.BaseOffset == baseOffset && header.PartitionLeaderEpoch == epoch
                && header.Crc == RecordBatchHeader.Read(original).Crc;
        }));
    }

    [Fact]
    public void AssignOffsetsNumbersBatchesConsecutively()
    {
        byte[] blob = Blob(Simple(2), Simple(5, CompressionType.Zstd), Simple(1));
        long next = RecordBatchPatch.AssignOffsets(blob, firstOffset: 100, partitionLeaderEpoch: 7);

        Assert.Equal(108, next);
        Assert.True(RecordBatchValidator.Validate(blob, s_stored).IsValid);
        var walker = new RecordBatchWalker(blob);
        var starts = new List<(long, int)>();
        while (walker.TryNext(out RecordBatchView batch)) starts.Add((batch.Header.BaseOffset, batch.Header.PartitionLeaderEpoch));
        Assert.Equal([(100L, 7), (102L, 7), (107L, 7)], starts);
    }

    [Fact]
    public void RandomBytesNeverThrowAndAreAlmostNeverValid()
    {
        PropertyRuns.Check(Prop.ForAll(PropertyRuns.Bytes(4096), bytes =>
        {
            RecordsValidation result = RecordBatchValidator.Validate(bytes, s_stored);
            return bytes.Length == 0 ? result.IsValid : !result.IsValid;
        }), caseCount: 2000);
    }

    [Fact]
    public void RandomlyDamagedBlobsNeverThrow()
    {
        // Damage anywhere, header included, in a blob of real batches: reaches far more branches than noise.
        byte[] blob = Blob(Simple(3), Simple(2, CompressionType.Gzip), Simple(4));
        var damage = Gen.Choose(0, blob.Length - 1).Zip(Gen.Choose(0, 255)).ListOf().ToArbitrary();
        PropertyRuns.Check(Prop.ForAll(damage, changes =>
        {
            byte[] damaged = With(blob, b => { foreach (var (at, value) in changes) b[at] = (byte)value; });
            RecordsValidation result = RecordBatchValidator.Validate(damaged, s_stored);
            return result.IsValid == damaged.AsSpan().SequenceEqual(blob) || OnlyOutsideTheCrc(blob, damaged);
        }), caseCount: 1000);
    }

    /// <summary>True when every changed byte is BaseOffset or PartitionLeaderEpoch, which the CRC does not cover.</summary>
    private static bool OnlyOutsideTheCrc(byte[] original, byte[] damaged)
    {
        var walker = new RecordBatchWalker(original);
        var uncovered = new HashSet<int>();
        while (walker.TryNext(out RecordBatchView batch))
        {
            for (int i = 0; i < 8; i++) uncovered.Add(batch.PositionBytes + i);
            for (int i = 12; i < 16; i++) uncovered.Add(batch.PositionBytes + i);
        }
        return Enumerable.Range(0, original.Length).All(i => original[i] == damaged[i] || uncovered.Contains(i));
    }

    [Fact]
    public void EveryTruncationIsTruncatedUnlessItEndsOnABatchBoundary()
    {
        byte[] first = Simple(2), second = Simple(3, CompressionType.Lz4);
        byte[] blob = Blob(first, second);
        for (int length = 0; length <= blob.Length; length++)
        {
            RecordsValidation result = RecordBatchValidator.Validate(blob.AsMemory(0, length), s_stored);
            int expectedBatches = length >= blob.Length ? 2 : length >= first.Length ? 1 : 0;
            bool boundary = length == 0 || length == first.Length || length == blob.Length;
            Assert.Equal(boundary ? RecordBatchError.None : RecordBatchError.Truncated, result.Error);
            Assert.Equal(expectedBatches, result.BatchCount);
        }
    }

    [Fact]
    public void ValidatingAllocatesNothing()
    {
        byte[] blob = Blob(Enumerable.Range(0, 50).Select(i => Simple(20, i % 2 == 0 ? CompressionType.None : CompressionType.Gzip)).ToArray());
        RecordBatchValidator.Validate(blob, s_stored); // warm up the JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordsValidation result = RecordBatchValidator.Validate(blob, s_stored);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(result.IsValid);
        Assert.Equal(0, allocated);
    }
}
