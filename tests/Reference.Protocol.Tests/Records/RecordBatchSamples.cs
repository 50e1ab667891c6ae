using System.Buffers.Binary;
using System.Text;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;

namespace Reference.Protocol.Tests.Records;

/// <summary>Batches the record tests start from, and the surgery they do on them.</summary>
internal static class RecordBatchSamples
{
    public static readonly CompressionType[] AllCodecs =
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    /// <summary>A batch of <paramref name="recordCount"/> small keyed records with one header each.</summary>
    public static byte[] Simple(int recordCount = 3, CompressionType compression = CompressionType.None, long baseOffset = 0)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, Compression = compression });
        for (int i = 0; i < recordCount; i++)
        {
            builder.Append(1_700_000_000_000 + i, Utf8($"key-{i}"), Utf8($"value {i} of the sample batch"),
                [new RecordHeader("trace", Utf8($"t{i}"))]);
        }
        return builder.Build();
    }

    /// <summary>Several batches back to back, as in a Fetch response or a log segment.</summary>
    public static byte[] Blob(params byte[][] batches) => [.. batches.SelectMany(batch => batch)];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] With(byte[] batch, Action<byte[]> change)
    {
        byte[] copy = (byte[])batch.Clone();
        change(copy);
        return copy;
    }

    /// <summary>A copy with one header field rewritten and the CRC made valid again, so that only the
    /// check under test can object.</summary>
    public static byte[] WithField(byte[] batch, int at, Action<Span<byte>> write) => With(batch, copy =>
    {
        write(copy.AsSpan(at));
        RecordBatchPatch.WriteCrc(copy);
    });

    public static byte[] WithInt32(byte[] batch, int at, int value) =>
        WithField(batch, at, span => BinaryPrimitives.WriteInt32BigEndian(span, value));

    public static RecordBatchView Frame(byte[] batch)
    {
        var walker = new RecordBatchWalker(batch);
        Assert.True(walker.TryNext(out RecordBatchView view), $"not a framed batch: {walker.Stop}");
        return view;
    }
}
