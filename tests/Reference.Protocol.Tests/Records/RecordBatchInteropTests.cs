using System.Text;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;

namespace Reference.Protocol.Tests.Records;

/// <summary>
/// Batches written by librdkafka 2.0.2 (through kcat) and captured off the wire by
/// Golden/records/capture-librdkafka-batches.py: 20 keyed records and one with an empty key, two headers
/// each (h1=v1 and h2 with an empty value), in each codec. Raw snappy, LZ4 frames and streamed zstd
/// without a content size are exactly what our own writers might get wrong and still read back.
/// </summary>
public sealed class RecordBatchInteropTests
{
    public static TheoryData<string, CompressionType> Captures => new()
    {
        { "none", CompressionType.None },
        { "gzip", CompressionType.Gzip },
        { "snappy", CompressionType.Snappy },
        { "lz4", CompressionType.Lz4 },
        { "zstd", CompressionType.Zstd },
    };

    private static byte[] Capture(string codec) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "records", $"librdkafka-{codec}.bin"));

    [Theory]
    [MemberData(nameof(Captures))]
    public void LibrdkafkaBatchIsValidForProduce(string codec, CompressionType compression)
    {
        byte[] records = Capture(codec);
        RecordsValidation result = RecordBatchValidator.Validate(records, RecordBatchRules.ForProduce());
        Assert.Equal(new RecordsValidation(RecordBatchError.None, records.Length, 1, 21), result);
        RecordBatchHeader header = RecordBatchHeader.Read(records);
        Assert.Equal(compression, header.Compression);
        // librdkafka without idempotence writes -1 for producer id, epoch and base sequence.
        Assert.Equal((-1L, (short)-1, -1), (header.ProducerId, header.ProducerEpoch, header.BaseSequence));
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void LibrdkafkaRecordsDecodeToWhatKcatWasGiven(string codec, CompressionType compression)
    {
        _ = compression;
        RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(Capture(codec));
        Assert.True(result.IsOk, $"{result.Error}: {result.Detail}");
        Assert.Equal(21, result.Records.Count);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i, result.Records[i].Offset);
            Assert.Equal($"key{i}", Encoding.UTF8.GetString(result.Records[i].Key!.Value.Span));
            Assert.Equal($"value {i} of a batch that compresses well", Encoding.UTF8.GetString(result.Records[i].Value!.Value.Span));
        }
        Reference.Protocol.Records.Record last = result.Records[20];
        Assert.Equal(0, last.Key!.Value.Length); // kcat -K: with nothing before the colon: an empty key, not null
        Assert.Equal("value with an empty key", Encoding.UTF8.GetString(last.Value!.Value.Span));
        Assert.All(result.Records, record =>
        {
            Assert.Equal(["h1", "h2"], record.Headers.Select(header => header.Key));
            Assert.Equal("v1"u8.ToArray(), record.Headers[0].Value!.Value.ToArray());
            Assert.Equal(0, record.Headers[1].Value!.Value.Length);
        });
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void OurEncodingOfTheirRecordsMatchesTheirUncompressedBytes(string codec, CompressionType compression)
    {
        // Each capture was taken at its own time; shift timestamps onto the uncompressed capture's base.
        _ = compression;
        byte[] capture = Capture(codec), uncompressed = Capture("none");
        long shiftMs = RecordBatchHeader.Read(uncompressed).BaseTimestamp - RecordBatchHeader.Read(capture).BaseTimestamp;
        var builder = new RecordBatchBuilder(new RecordBatchOptions { PartitionLeaderEpoch = 0 });
        foreach (Reference.Protocol.Records.Record record in RecordBatchDecoder.DecodeSingle(capture).Records)
            builder.Append(record.Timestamp + shiftMs, record.Key, record.Value, record.Headers);
        Assert.Equal(uncompressed[61..], builder.Build()[61..]);
    }

    [Fact]
    public void OurUncompressedBatchIsByteIdenticalToLibrdkafkasCrcIncluded()
    {
        // Same records, same header choices (leader epoch 0, no producer id): every byte must agree,
        // so our CRC-32C and header layout match an independent implementation's.
        byte[] theirs = Capture("none");
        var builder = new RecordBatchBuilder(new RecordBatchOptions { PartitionLeaderEpoch = 0 });
        foreach (Reference.Protocol.Records.Record record in RecordBatchDecoder.DecodeSingle(theirs).Records)
            builder.Append(record.Timestamp, record.Key, record.Value, record.Headers);
        Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(builder.Build()));
    }
}
