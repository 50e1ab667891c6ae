using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Reference.Protocol.Records;

namespace Reference.Protocol.Compression;

/// <summary>
/// gzip (RFC 1952) through System.IO.Compression. .NET's <see cref="GZipStream"/> checks a trailer it
/// reaches but says nothing when the stream is cut short or followed by junk, so we check the trailer
/// ourselves against the whole output. That accepts exactly one gzip member, which is what every Kafka
/// client writes (Java's GZIPOutputStream, librdkafka's zlib, kafkajs's zlib.gzip).
/// </summary>
internal sealed class GzipCodec : ICompressionCodec
{
    /// <summary>Fixed header (10 bytes) plus trailer (CRC-32 and ISIZE, 8 bytes): RFC 1952 §2.3.</summary>
    private const int MemberSizeBytesMin = 18;

    private const int TrailerSizeBytes = 8;

    /// <summary>The CRC-32 of the gzip trailer is the IEEE one (reflected polynomial 0xEDB88320).</summary>
    private static readonly ReflectedCrc32Table s_trailerCrc = new(0xEDB88320);

    public CompressionType Type => CompressionType.Gzip;

    public bool IsSupported => true;

    public byte[] Compress(ReadOnlySpan<byte> input)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(input);
        return output.ToArray();
    }

    public DecompressionResult Decompress(ReadOnlyMemory<byte> input, int outputBytesMax)
    {
        if (input.Length < MemberSizeBytesMin) return DecompressionResult.Corrupt($"gzip input of {input.Length} bytes is shorter than a member");
        var output = new BoundedOutputBuffer(outputBytesMax, input.Length);
        try
        {
            if (!Inflate(input, output)) return DecompressionResult.TooLarge(outputBytesMax);
        }
        catch (InvalidDataException e)
        {
            return DecompressionResult.Corrupt($"gzip: {e.Message}");
        }
        return TrailerMatches(input.Span, output.Written.Span)
            ? DecompressionResult.Ok(output.Written)
            : DecompressionResult.Corrupt("gzip trailer does not match the output (truncated or trailing bytes)");
    }

    /// <summary>Inflates into <paramref name="output"/>; false when it would exceed its bound. Each turn
    /// reads at least one byte or ends, and the buffer is bounded, so the loop is too.</summary>
    private static bool Inflate(ReadOnlyMemory<byte> input, BoundedOutputBuffer output)
    {
        using var source = OpenReadOnly(input);
        using var gzip = new GZipStream(source, CompressionMode.Decompress);
        while (true)
        {
            if (!output.EnsureFree()) return false;
            int read = gzip.Read(output.Free);
            if (read == 0) return !output.ExceedsMax;
            output.Advance(read);
        }
    }

    private static bool TrailerMatches(ReadOnlySpan<byte> input, ReadOnlySpan<byte> output)
    {
        ReadOnlySpan<byte> trailer = input[^TrailerSizeBytes..];
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint sizeModulo = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        return sizeModulo == (uint)output.Length && crc == s_trailerCrc.Compute(output);
    }

    private static MemoryStream OpenReadOnly(ReadOnlyMemory<byte> input) =>
        MemoryMarshal.TryGetArray(input, out ArraySegment<byte> segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(input.ToArray(), writable: false);
}
