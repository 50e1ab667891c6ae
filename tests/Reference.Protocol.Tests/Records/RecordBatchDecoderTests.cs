using System.Buffers.Binary;
using FsCheck.Fluent;
using Reference.Protocol.Compression;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;
using static Reference.Protocol.Tests.Records.RecordBatchSamples;

namespace Reference.Protocol.Tests.Records;

public sealed class RecordBatchDecoderTests
{
    /// <summary>Builds a batch whose records section is given byte for byte, with a correct CRC.</summary>
    private static byte[] WithRecordsSection(int recordCount, params byte[] section)
    {
        byte[] batch = [.. Simple(1)[..61], .. section];
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), batch.Length - 12);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(23), Math.Max(recordCount - 1, 0));
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), recordCount);
        RecordBatchPatch.WriteCrc(batch);
        return batch;
    }

    /// <summary>One record body with its length prefix; the fields are zigzag varints as DefaultRecord writes them.</summary>
    private static byte[] RecordBytes(params int[] zigzagFields)
    {
        using var body = new ProtocolWriter();
        body.WriteInt8(0);
        foreach (int field in zigzagFields) body.WriteVarInt(field);
        using var record = new ProtocolWriter();
        record.WriteVarInt(body.Length);
        record.WriteRaw(body.WrittenSpan);
        return record.ToArray();
    }

    [Fact]
    public void HandWrittenRecordDecodesFieldByField()
    {
        // timestamp delta 5, offset delta 0, key "k", null value, one header "h" = "v".
        byte[] record = [0x16, 0x00, 0x0A, 0x00, 0x02, (byte)'k', 0x01, 0x02, 0x02, (byte)'h', 0x02, (byte)'v'];
        RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(WithRecordsSection(1, record));

        Assert.True(result.IsOk, $"{result.Error}: {result.Detail}");
        var decoded = Assert.Single(result.Records);
        Assert.Equal(1_700_000_000_005, decoded.Timestamp);
        Assert.Equal("k"u8.ToArray(), decoded.Key!.Value.ToArray());
        Assert.Null(decoded.Value);
        var header = Assert.Single(decoded.Headers);
        Assert.Equal("h", header.Key);
        Assert.Equal("v"u8.ToArray(), header.Value!.Value.ToArray());
    }

    [Fact]
    public void BuilderWritesTheDocumentedRecordLayout()
    {
        // The same record the other way round: what DefaultRecord.writeTo would put on the wire.
        byte[] batch = new RecordBatchBuilder(new RecordBatchOptions())
            .Append(1_700_000_000_000, "k"u8.ToArray(), null, [new RecordHeader("h", "v"u8.ToArray())])
            .Build();
        byte[] expected = [0x16, 0x00, 0x00, 0x00, 0x02, (byte)'k', 0x01, 0x02, 0x02, (byte)'h', 0x02, (byte)'v'];
        Assert.Equal(expected, batch[61..]);
        Assert.Equal(61 + expected.Length - 12, RecordBatchHeader.Read(batch).BatchLength);
    }

    [Theory]
    [InlineData(-2)] // only -1 means null
    [InlineData(100)] // runs past the record
    public void BadKeyLengthIsMalformed(int keyLength) =>
        Assert.Equal(RecordBatchError.MalformedRecord,
            RecordBatchDecoder.DecodeSingle(WithRecordsSection(1, RecordBytes(0, 0, keyLength, -1, 0))).Error);

    [Fact]
    public void HeaderCountBeyondTheRecordIsMalformedNotAnAllocation() =>
        Assert.Equal(RecordBatchError.MalformedRecord,
            RecordBatchDecoder.DecodeSingle(WithRecordsSection(1, RecordBytes(0, 0, -1, -1, int.MaxValue))).Error);

    [Fact]
    public void NegativeHeaderKeyLengthIsMalformed() =>
        Assert.Equal(RecordBatchError.MalformedRecord,
            RecordBatchDecoder.DecodeSingle(WithRecordsSection(1, RecordBytes(0, 0, -1, -1, 1, -1, -1))).Error);

    [Fact]
    public void OffsetDeltaOutsideTheBatchIsMalformed() =>
        Assert.Equal(RecordBatchError.MalformedRecord,
            RecordBatchDecoder.DecodeSingle(WithRecordsSection(1, RecordBytes(0, 1, -1, -1, 0))).Error);

    [Fact]
    public void BytesLeftInsideARecordAreMalformed() =>
        Assert.Equal(RecordBatchError.MalformedRecord,
            RecordBatchDecoder.DecodeSingle(WithRecordsSection(1, RecordBytes(0, 0, -1, -1, 0, 0))).Error);

    [Fact]
    public void CompressedRecordsThatDisagreeWithTheCountAreRefused()
    {
        // The validator cannot see inside compressed records; the decoder must count them itself.
        byte[] batch = WithInt32(WithInt32(Simple(3, CompressionType.Gzip), 23, 5), 57, 4);
        Assert.Equal(RecordBatchError.RecordCountMismatch, RecordBatchDecoder.DecodeSingle(batch).Error);
        batch = WithInt32(WithInt32(Simple(3, CompressionType.Gzip), 23, 5), 57, 2);
        Assert.Equal(RecordBatchError.RecordCountMismatch, RecordBatchDecoder.DecodeSingle(batch).Error);
    }

    [Fact]
    public void RecordCountFarBeyondTheBytesIsRefusedBeforeAllocating()
    {
        byte[] batch = WithInt32(WithInt32(Simple(3, CompressionType.Zstd), 23, int.MaxValue - 1), 57, int.MaxValue - 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(batch);
        Assert.Equal(RecordBatchError.RecordCountMismatch, result.Error);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public void DecompressionPastTheStatedMaximumIsRefused()
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { Compression = CompressionType.Gzip });
        for (int i = 0; i < 10; i++) builder.Append(0, null, new byte[10_000]);
        byte[] batch = builder.Build();
        Assert.True(RecordBatchDecoder.DecodeSingle(batch, decompressedBytesMax: 200_000).IsOk);
        Assert.Equal(RecordBatchError.DecompressedTooLarge, RecordBatchDecoder.DecodeSingle(batch, decompressedBytesMax: 50_000).Error);
    }

    [Fact]
    public void BadCrcIsReportedBeforeAnythingIsDecoded() =>
        Assert.Equal(RecordBatchError.CrcMismatch, RecordBatchDecoder.DecodeSingle(With(Simple(), b => b[70] ^= 0x40)).Error);

    [Fact]
    public void SingleBatchDecodeRefusesTrailingBytesAndEmptyInput()
    {
        Assert.Equal(RecordBatchError.TrailingBytes, RecordBatchDecoder.DecodeSingle(Blob(Simple(), Simple())).Error);
        Assert.Equal(RecordBatchError.Truncated, RecordBatchDecoder.DecodeSingle(ReadOnlyMemory<byte>.Empty).Error);
    }

    [Fact]
    public void LogAppendTimeGivesEveryRecordTheBrokersTimestamp()
    {
        byte[] batch = Simple(3, CompressionType.Snappy);
        RecordBatchPatch.SetLogAppendTime(batch, 1_234_567);
        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        Assert.True(RecordBatchValidator.Validate(batch, RecordBatchRules.ForProduce()).IsValid);
        Assert.Equal((TimestampType.LogAppendTime, CompressionType.Snappy, 1_234_567L), (header.TimestampType, header.Compression, header.MaxTimestamp));
        RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(batch);
        Assert.Equal(3, result.Records.Count);
        Assert.All(result.Records, record => Assert.Equal(1_234_567, record.Timestamp));
    }

    [Fact]
    public void KeysAndValuesAreSlicesOfTheBatchNotCopies()
    {
        byte[] batch = Simple(2);
        RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(batch);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(result.Records[1].Value!.Value, out ArraySegment<byte> segment));
        Assert.Same(batch, segment.Array);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        PropertyRuns.Check(Prop.ForAll(PropertyRuns.Bytes(2048), bytes => !RecordBatchDecoder.DecodeSingle(bytes).IsOk), caseCount: 2000);
    }

    [Fact]
    public void EveryTruncationOfEveryCodecsBatchIsRefusedWithoutThrowing()
    {
        foreach (CompressionType codec in AllCodecs)
        {
            byte[] batch = Simple(5, codec);
            for (int length = 0; length < batch.Length; length++)
            {
                RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(batch.AsMemory(0, length));
                Assert.Equal(RecordBatchError.Truncated, result.Error);
            }
        }
    }

    [Fact]
    public void DamageBehindAValidCrcNeverThrows()
    {
        // A producer can send any bytes with a matching CRC; the codecs and the record parser must hold.
        foreach (CompressionType codec in AllCodecs)
        {
            byte[] batch = Simple(6, codec);
            var damage = Gen.Choose(61, batch.Length - 1).Zip(Gen.Choose(0, 255)).NonEmptyListOf().ToArbitrary();
            PropertyRuns.Check(Prop.ForAll(damage, changes =>
            {
                byte[] damaged = With(batch, b => { foreach (var (at, value) in changes) b[at] = (byte)value; });
                RecordBatchPatch.WriteCrc(damaged);
                RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(damaged);
                return result.IsOk ? result.Records.Count == 6 : result.Records.Count == 0;
            }), caseCount: 400);
        }
    }
}
