using FsCheck;
using FsCheck.Fluent;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;
using Record = Reference.Protocol.Records.Record;

namespace Reference.Protocol.Tests.Records;

public sealed class RecordBatchRoundTripTests
{
    private sealed record RecordSpec(long TimestampMs, byte[]? Key, byte[]? Value, RecordHeader[] Headers);

    private sealed record BatchSpec(RecordBatchOptions Options, RecordSpec[] Records);

    private static readonly Gen<byte[]?> s_nullableBytes = Gen.Frequency(
        (1, Gen.Constant<byte[]?>(null)),
        (1, Gen.Constant<byte[]?>([])),
        (4, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Select(bytes => (byte[]?)bytes)),
        (1, Gen.Choose(0, 20_000).Zip(Gen.Choose(0, int.MaxValue), (length, seed) =>
        {
            var bytes = new byte[length];
            new Random(seed).NextBytes(bytes);
            return (byte[]?)bytes;
        })));

    // Multi-byte UTF-8 (2, 3 and 4 bytes, a surrogate pair) and a NUL in header keys.
    private static readonly Gen<string> s_headerKeys = Gen.Elements("", "a", "trace-id", "é", "€uro", "😀", "nul\0inside")
        .ListOf(3).Select(parts => string.Concat(parts));

    private static readonly Gen<RecordHeader> s_headers =
        s_headerKeys.Zip(s_nullableBytes, (key, value) => new RecordHeader(key, AsNullableMemory(value)));

    /// <summary>Keeps null null: C# converts a null byte[] to an empty, non-null ReadOnlyMemory.</summary>
    private static ReadOnlyMemory<byte>? AsNullableMemory(byte[]? bytes) => bytes is null ? (ReadOnlyMemory<byte>?)null : bytes;

    // Realistic epoch milliseconds either side of a base, and -1, which Kafka uses for "no timestamp".
    private static readonly Gen<long> s_timestamps = Gen.Frequency(
        (1, Gen.Constant(-1L)),
        (6, Gen.Choose(int.MinValue, int.MaxValue).Select(delta => 1_700_000_000_000L + delta)));

    private static readonly Gen<RecordSpec> s_records =
        from timestamp in s_timestamps
        from key in s_nullableBytes
        from value in s_nullableBytes
        from headers in s_headers.ListOf(3)
        select new RecordSpec(timestamp, key, value, [.. headers]);

    private static readonly Gen<RecordBatchOptions> s_options =
        from compression in Gen.Elements(RecordBatchSamples.AllCodecs)
        from baseOffset in Gen.Choose(0, int.MaxValue).Select(o => (long)o * 1000)
        from epoch in Gen.Choose(-1, 1000)
        from producerId in Gen.Elements(-1L, 0L, 4242L, long.MaxValue - 1)
        from producerEpoch in Gen.Elements<short>(-1, 0, 7, short.MaxValue)
        from baseSequence in Gen.Elements(-1, 0, 99, int.MaxValue - 100)
        from transactional in Gen.Elements(false, true)
        from control in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new RecordBatchOptions
        {
            BaseOffset = baseOffset, PartitionLeaderEpoch = epoch, ProducerId = producerId, ProducerEpoch = producerEpoch,
            BaseSequence = baseSequence, IsTransactional = transactional, IsControl = control, Compression = compression,
        };

    private static readonly Arbitrary<BatchSpec> s_batches =
        (from options in s_options
         from count in Gen.Choose(1, 12)
         from records in s_records.ArrayOf(count)
         select new BatchSpec(options, records)).ToArbitrary();

    private static byte[] Build(BatchSpec spec)
    {
        var builder = new RecordBatchBuilder(spec.Options);
        foreach (RecordSpec record in spec.Records)
            builder.Append(record.TimestampMs, AsNullableMemory(record.Key), AsNullableMemory(record.Value), record.Headers);
        return builder.Build();
    }

    [Fact]
    public void AnyBatchRoundTripsThroughBuilderValidatorAndDecoder()
    {
        PropertyRuns.Check(Prop.ForAll(s_batches, (BatchSpec spec) =>
        {
            byte[] batch = Build(spec);
            RecordsValidation validation = RecordBatchValidator.Validate(batch, RecordBatchRules.ForProduce(int.MaxValue));
            Assert.Equal(new RecordsValidation(RecordBatchError.None, batch.Length, 1, spec.Records.Length), validation);
            AssertHeaderMatches(RecordBatchHeader.Read(batch), spec, batch.Length);
            AssertRecordsMatch(RecordBatchDecoder.DecodeSingle(batch), spec);
        }), caseCount: 300);
    }

    [Fact]
    public void EveryCodecRoundTripsTheSameRecords()
    {
        // The property above draws the codec at random; this pins each codec to the same generated records.
        foreach (CompressionType codec in RecordBatchSamples.AllCodecs)
        {
            PropertyRuns.Check(Prop.ForAll(s_batches, (BatchSpec spec) =>
            {
                var pinned = spec with { Options = spec.Options with { Compression = codec } };
                AssertRecordsMatch(RecordBatchDecoder.DecodeSingle(Build(pinned)), pinned);
            }), caseCount: 60);
        }
    }

    private static void AssertHeaderMatches(RecordBatchHeader header, BatchSpec spec, int sizeBytes)
    {
        RecordBatchOptions options = spec.Options;
        Assert.Equal(options.BaseOffset, header.BaseOffset);
        Assert.Equal(sizeBytes, header.SizeBytes);
        Assert.Equal(options.PartitionLeaderEpoch, header.PartitionLeaderEpoch);
        Assert.Equal(2, header.Magic);
        Assert.Equal(options.Compression, header.Compression);
        Assert.Equal(TimestampType.CreateTime, header.TimestampType);
        Assert.Equal(options.IsTransactional, header.IsTransactional);
        Assert.Equal(options.IsControl, header.IsControl);
        Assert.Equal(spec.Records.Length - 1, header.LastOffsetDelta);
        Assert.Equal(spec.Records[0].TimestampMs, header.BaseTimestamp);
        Assert.Equal(spec.Records.Max(record => record.TimestampMs), header.MaxTimestamp);
        Assert.Equal(options.ProducerId, header.ProducerId);
        Assert.Equal(options.ProducerEpoch, header.ProducerEpoch);
        Assert.Equal(options.BaseSequence, header.BaseSequence);
        Assert.Equal(spec.Records.Length, header.RecordCount);
    }

    private static void AssertRecordsMatch(RecordBatchDecodeResult decoded, BatchSpec spec)
    {
        Assert.True(decoded.IsOk, $"{decoded.Error}: {decoded.Detail}");
        Assert.Equal(spec.Records.Length, decoded.Records.Count);
        for (int i = 0; i < spec.Records.Length; i++)
        {
            Record record = decoded.Records[i];
            RecordSpec expected = spec.Records[i];
            Assert.Equal(spec.Options.BaseOffset + i, record.Offset);
            Assert.Equal(i, record.OffsetDelta);
            Assert.Equal(expected.TimestampMs, record.Timestamp);
            AssertSameBytes(expected.Key, record.Key, $"key of record {i}");
            AssertSameBytes(expected.Value, record.Value, $"value of record {i}");
            Assert.Equal(expected.Headers.Select(h => h.Key), record.Headers.Select(h => h.Key));
            for (int h = 0; h < expected.Headers.Length; h++)
                AssertSameBytes(expected.Headers[h].Value?.ToArray(), record.Headers[h].Value, $"header {h} of record {i}");
        }
    }

    private static void AssertSameBytes(byte[]? expected, ReadOnlyMemory<byte>? actual, string what)
    {
        Assert.True(expected is null == actual is null, $"{what}: expected {(expected is null ? "null" : "bytes")}, got {(actual is null ? "null" : "bytes")}");
        if (expected is not null) Assert.True(actual!.Value.Span.SequenceEqual(expected), $"{what} differs");
    }
}
