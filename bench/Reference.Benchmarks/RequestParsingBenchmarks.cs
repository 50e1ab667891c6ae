using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Benchmarks;

/// <summary>
/// How fast the framing layer reads what a broker receives most (a Produce request carrying about 1 MB
/// of record batches for several partitions), what a consumer receives most (a Fetch response of the
/// same size), and the smallest frequent request (Metadata). Record batches are opaque to the codec and
/// returned as slices of the frame, so the cost should follow the number of fields, not the megabytes.
/// </summary>
[Config(typeof(ThroughputConfig))]
[MemoryDiagnoser]
public class RequestParsingBenchmarks
{
    private const int Partitions = 8;
    private const int BatchBytes = 128 * 1024;
    private const int RecordBatchHeaderBytes = 61;
    private const int Seed = 20241001;

    private static readonly byte[] ProduceV7Frame = Frame(FrameEncoder.Request(Header(ApiKey.Produce, 7), ProduceRequest()));
    private static readonly byte[] FetchV11Frame = Frame(FrameEncoder.Response(1, 11, FetchResponse()));
    private static readonly byte[] MetadataV4Frame = Frame(FrameEncoder.Request(Header(ApiKey.Metadata, 4), new MetadataRequest
    {
        Topics = [new() { Name = "orders" }, new() { Name = "payments" }],
        AllowAutoTopicCreation = false,
    }));

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(ThroughputColumns.For(new Dictionary<string, long>
        {
            [nameof(ProduceV7Request)] = ProduceV7Frame.Length,
            [nameof(FetchV11Response)] = FetchV11Frame.Length,
            [nameof(MetadataV4Request)] = MetadataV4Frame.Length,
        }));
    }

    [Benchmark]
    public RequestDecodeResult ProduceV7Request() => Expect(RequestDecoder.Decode(ProduceV7Frame));

    [Benchmark]
    public ResponseDecodeResult FetchV11Response() => Expect(ResponseDecoder.Decode(FetchV11Frame, ApiKey.Fetch, 11));

    [Benchmark]
    public RequestDecodeResult MetadataV4Request() => Expect(RequestDecoder.Decode(MetadataV4Frame));

    private static RequestDecodeResult Expect(RequestDecodeResult result) =>
        result.IsSuccess ? result : throw new InvalidOperationException($"the benchmark frame does not decode: {result.Error}");

    private static ResponseDecodeResult Expect(ResponseDecodeResult result) =>
        result.IsSuccess ? result : throw new InvalidOperationException($"the benchmark frame does not decode: {result.Error}");

    /// <summary>The bytes the decoders take: the frame without its int32 size.</summary>
    private static byte[] Frame(byte[] withSizePrefix) => withSizePrefix[4..];

    private static RequestHeader Header(ApiKey key, short version) =>
        new() { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = 1, ClientId = "rdkafka" };

    private static ProduceRequest ProduceRequest()
    {
        var random = new Random(Seed);
        return new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 30000,
            TopicData =
            [
                new()
                {
                    Name = "orders",
                    PartitionData = Enumerable.Range(0, Partitions)
                        .Select(p => new ProduceRequest.PartitionProduceData { Index = p, Records = RecordBatch(random, baseOffset: 0) })
                        .ToList(),
                },
            ],
        };
    }

    private static FetchResponse FetchResponse()
    {
        var random = new Random(Seed);
        return new FetchResponse
        {
            Responses =
            [
                new()
                {
                    Topic = "orders",
                    Partitions = Enumerable.Range(0, Partitions).Select(p => new FetchResponse.PartitionData
                    {
                        PartitionIndex = p,
                        HighWatermark = 1000,
                        LastStableOffset = 1000,
                        LogStartOffset = 0,
                        AbortedTransactions = null,
                        PreferredReadReplica = -1,
                        Records = RecordBatch(random, baseOffset: 500),
                    }).ToList(),
                },
            ],
        };
    }

    /// <summary>
    /// A batch-shaped blob: base offset, length and magic 2 where a record batch has them, random bytes
    /// after. The codec never looks inside, so a valid CRC and records would not change the figures.
    /// </summary>
    private static byte[] RecordBatch(Random random, long baseOffset)
    {
        var batch = new byte[BatchBytes];
        random.NextBytes(batch.AsSpan(RecordBatchHeaderBytes));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), BatchBytes - 12);
        batch[16] = 2;
        return batch;
    }
}
