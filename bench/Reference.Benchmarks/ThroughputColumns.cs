using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Reference.Benchmarks;

/// <summary>
/// Two columns for benchmarks that process a known number of bytes an operation: the bytes themselves,
/// and "MB/s", those bytes divided by the mean time (MB = 10^6 bytes). The benchmark class gives the bytes
/// of each method, computed from the inputs it builds, so the figures follow the inputs when they change.
/// </summary>
public static class ThroughputColumns
{
    public static IColumn[] For(IReadOnlyDictionary<string, long> bytesPerOperationByMethod) =>
    [
        new BytesPerOperationColumn(bytesPerOperationByMethod),
        new MegabytesPerSecondColumn(bytesPerOperationByMethod),
    ];

    private abstract class BytesColumn(IReadOnlyDictionary<string, long> bytesPerOperationByMethod) : IColumn
    {
        public abstract string Id { get; }
        public abstract string ColumnName { get; }
        public abstract string Legend { get; }
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            bytesPerOperationByMethod.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out long bytes)
                ? Format(bytes, summary[benchmarkCase]?.ResultStatistics?.Mean, style) ?? "-"
                : "-";

        protected abstract string? Format(long bytes, double? meanNanoseconds, SummaryStyle style);

        public override string ToString() => ColumnName;
    }

    private sealed class BytesPerOperationColumn(IReadOnlyDictionary<string, long> bytes) : BytesColumn(bytes)
    {
        public override string Id => nameof(BytesPerOperationColumn);
        public override string ColumnName => "Bytes/op";
        public override string Legend => "Bytes one operation processes (the input's size)";

        protected override string? Format(long bytes, double? meanNanoseconds, SummaryStyle style) => bytes.ToString("N0", style.CultureInfo);
    }

    private sealed class MegabytesPerSecondColumn(IReadOnlyDictionary<string, long> bytes) : BytesColumn(bytes)
    {
        private const double NanosecondsPerSecond = 1e9;
        private const double BytesPerMegabyte = 1e6;

        public override string Id => nameof(MegabytesPerSecondColumn);
        public override string ColumnName => "MB/s";
        public override string Legend => "Bytes/op divided by the mean time, in 10^6 bytes a second";

        protected override string? Format(long bytes, double? meanNanoseconds, SummaryStyle style) =>
            meanNanoseconds is > 0
                ? (bytes / BytesPerMegabyte / (meanNanoseconds.Value / NanosecondsPerSecond)).ToString("N0", style.CultureInfo)
                : null;
    }
}
