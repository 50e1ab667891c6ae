using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Reference.Protocol.Records;

namespace Reference.Benchmarks;

/// <summary>
/// The produce path's per-byte cost: CRC-32C over a ~1 MiB records blob (the CPU instruction against
/// the table fallback) and full validation of the same blob (framing, CRC, counts, and the walk over
/// every record length). Every benchmark processes <see cref="BlobSizeBytes"/> per operation, so the
/// MB/s column is that over the mean time.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class RecordBatchBenchmarks
{
    /// <summary>Batches of Kafka's default batch.size (16 KiB) of 200-byte values, as a busy producer sends.</summary>
    private const int BatchCount = 64;
    private const int RecordsPerBatch = 75;
    private const int ValueSizeBytes = 200;

    private static readonly byte[] s_blob = BuildBlob();

    private static readonly RecordBatchRules s_rules = RecordBatchRules.ForStored(int.MaxValue);

    /// <summary>Bytes one operation processes; deterministic, so the host process computes the same size.</summary>
    public static int BlobSizeBytes => s_blob.Length;

    [Benchmark(Baseline = true)]
    public uint Crc32CHardware() => Crc32C.Compute(s_blob);

    [Benchmark]
    public uint Crc32CSoftwareTable() => Crc32C.ComputeSoftware(s_blob);

    [Benchmark]
    public RecordsValidation ValidateBlob() => RecordBatchValidator.Validate(s_blob, s_rules);

    private static byte[] BuildBlob()
    {
        var random = new Random(20_240_917);
        var blob = new List<byte>();
        for (int batch = 0; batch < BatchCount; batch++)
        {
            var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = (long)batch * RecordsPerBatch });
            for (int record = 0; record < RecordsPerBatch; record++)
            {
                var value = new byte[ValueSizeBytes];
                random.NextBytes(value);
                builder.Append(1_700_000_000_000 + record, BitConverter.GetBytes(record), value);
            }
            blob.AddRange(builder.Build());
        }
        return [.. blob];
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    /// <summary>Decimal megabytes per second: <see cref="BlobSizeBytes"/> over the mean time per operation.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);
        public string ColumnName => "MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => $"Throughput in 10^6 bytes per second, at {BlobSizeBytes} bytes per operation";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNs is double ns && ns > 0 ? (BlobSizeBytes / ns * 1e9 / 1e6).ToString("N0") : "-";
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}
