using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Reference.Client.Errors;
using Reference.Client.Records;
using Reference.Protocol.Compression;

namespace Reference.Client.Tests.Records;

public sealed class RecordBatchCodecTests
{
    private static readonly RecordBatchCodec Codec = RecordBatchCodec.Uncompressed;

    [Fact]
    public void ABatchReadsBackWithOffsetsTimestampsKeysAndHeaders()
    {
        BatchRecord[] records =
        [
            new([1, 2], [3], [new RecordHeader("h", [9]), new RecordHeader("empty", null)], 1_000),
            new(null, null, [], 1_007),
        ];
        byte[] batch = Codec.Encode(records);
        BinaryPrimitives.WriteInt64BigEndian(batch, 40); // the broker's base offset; outside the CRC
        DecodedRecords decoded = Codec.Decode(batch);
        Assert.Equal(42, decoded.NextOffset);
        Assert.Equal([40L, 41L], decoded.Records.Select(r => r.Offset));
        Assert.Equal([1_000L, 1_007L], decoded.Records.Select(r => r.TimestampMs));
        Assert.Equal([1, 2], decoded.Records[0].Key);
        Assert.Equal([3], decoded.Records[0].Value);
        Assert.Equal(["h", "empty"], decoded.Records[0].Headers.Select(h => h.Key));
        Assert.Null(decoded.Records[0].Headers[1].Value);
        Assert.Null(decoded.Records[1].Key);
        Assert.Null(decoded.Records[1].Value);
    }

    [Fact]
    public void TheBatchHeaderIsKafkas61Bytes()
    {
        byte[] batch = Codec.Encode([new BatchRecord(null, [], [], 0)]);
        Assert.Equal(2, batch[16]);                                           // magic
        Assert.Equal(batch.Length - 12, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(8)));
        Assert.Equal(-1L, BinaryPrimitives.ReadInt64BigEndian(batch.AsSpan(43))); // producer id
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(57)));   // record count
    }

    [Fact]
    public void AFlippedByteFailsTheCrcCheck()
    {
        byte[] batch = Codec.Encode([new BatchRecord(null, [1, 2, 3], [], 0)]);
        batch[^1] ^= 0xff;
        var error = Assert.Throws<KafkaProtocolException>(() => Codec.Decode(batch));
        Assert.Contains("CrcMismatch", error.Message);
    }

    [Fact]
    public void APartialTrailingBatchIsLeftForTheNextFetch()
    {
        byte[] first = Codec.Encode([new BatchRecord(null, [1], [], 0)]);
        byte[] second = Codec.Encode([new BatchRecord(null, [2], [], 0)]);
        BinaryPrimitives.WriteInt64BigEndian(second, 1);
        byte[] both = [.. first, .. second.AsSpan(0, second.Length - 3)];
        DecodedRecords decoded = Codec.Decode(both);
        Assert.Single(decoded.Records);
        Assert.Equal(1, decoded.NextOffset);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void CompressedBatchesRoundTrip(CompressionType compression)
    {
        var codec = new RecordBatchCodec(compression);
        byte[] batch = codec.Encode([new BatchRecord([7], Encoding.UTF8.GetBytes(new string('x', 500)), [], 5)]);
        Assert.Equal((int)compression, batch[22] & 0x07);
        DecodedRecord record = Codec.Decode(batch).Records.Single();
        Assert.Equal([7], record.Key);
        Assert.Equal(500, record.Value!.Length);
    }

    [Fact]
    public void AnyRecordsRoundTrip() =>
        Prop.ForAll<byte[][], long>((values, baseTimestamp) =>
        {
            var records = (values ?? []).Where(v => v is not null).Take(50)
                .Select((v, i) => new BatchRecord(i % 2 == 0 ? null : v, v, [new RecordHeader($"h{i}", v)], Math.Abs(baseTimestamp % 1_000_000_000_000) + i))
                .ToList();
            if (records.Count == 0) return true;
            DecodedRecords decoded = Codec.Decode(Codec.Encode(records));
            return decoded.Records.Count == records.Count
                && decoded.Records.Zip(records).All(pair =>
                    pair.First.Value!.SequenceEqual(pair.Second.Value!)
                    && (pair.First.Key is null) == (pair.Second.Key is null)
                    && pair.First.TimestampMs == pair.Second.TimestampMs
                    && pair.First.Headers[0].Value!.SequenceEqual(pair.Second.Headers[0].Value!));
        }).QuickCheckThrowOnFailure();
}
