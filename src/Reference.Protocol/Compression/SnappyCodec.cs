using System.Buffers.Binary;

namespace Reference.Protocol.Compression;

/// <summary>
/// Snappy through IronSnappy, in both shapes found in Kafka logs: librdkafka writes one raw snappy block,
/// Java's producer writes xerial's framing (<c>SnappyOutputStream</c>: a 16-byte header, then chunks of
/// [int32 big-endian length][raw block]). We read both and write raw blocks, as librdkafka does; Java's
/// <c>SnappyInputStream</c> reads raw blocks too, which is how librdkafka's batches reach Java consumers.
/// </summary>
internal sealed class SnappyCodec : ICompressionCodec
{
    /// <summary>xerial's magic (0x82 "SNAPPY" 0x00), then int32 version and int32 compatible version.</summary>
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    private const int XerialHeaderSizeBytes = 16;

    private const int XerialChunkLengthSizeBytes = 4;

    /// <summary>A raw block opens with its decoded length as a uvarint of at most 5 bytes.</summary>
    private const int PreambleSizeBytesMax = 5;

    public CompressionType Type => CompressionType.Snappy;

    public bool IsSupported => true;

    public byte[] Compress(ReadOnlySpan<byte> input) => IronSnappy.Snappy.Encode(input);

    public DecompressionResult Decompress(ReadOnlyMemory<byte> input, int outputBytesMax)
    {
        ReadOnlySpan<byte> span = input.Span;
        var output = new BoundedOutputBuffer(outputBytesMax, input.Length);
        DecompressionResult? failure = span.StartsWith(XerialMagic)
            ? DecodeXerial(span, output, outputBytesMax)
            : DecodeBlockInto(span, output, outputBytesMax);
        return failure ?? DecompressionResult.Ok(output.Written);
    }

    /// <summary>Each chunk consumes at least its 4-byte length, so the loop ends within input/4 turns.</summary>
    private static DecompressionResult? DecodeXerial(ReadOnlySpan<byte> input, BoundedOutputBuffer output, int outputBytesMax)
    {
        if (input.Length < XerialHeaderSizeBytes) return DecompressionResult.Corrupt("xerial snappy header is truncated");
        ReadOnlySpan<byte> chunks = input[XerialHeaderSizeBytes..];
        while (!chunks.IsEmpty)
        {
            if (chunks.Length < XerialChunkLengthSizeBytes) return DecompressionResult.Corrupt("xerial chunk length is truncated");
            int length = BinaryPrimitives.ReadInt32BigEndian(chunks);
            chunks = chunks[XerialChunkLengthSizeBytes..];
            if (length <= 0 || length > chunks.Length)
                return DecompressionResult.Corrupt($"xerial chunk length {length} with {chunks.Length} bytes left");
            DecompressionResult? failure = DecodeBlockInto(chunks[..length], output, outputBytesMax);
            if (failure is not null) return failure;
            chunks = chunks[length..];
        }
        return null;
    }

    /// <summary>
    /// Decodes one raw block after its declared length is known to fit the bound, so a hostile preamble
    /// cannot make IronSnappy allocate more than the caller allowed.
    /// </summary>
    private static DecompressionResult? DecodeBlockInto(ReadOnlySpan<byte> block, BoundedOutputBuffer output, int outputBytesMax)
    {
        if (!TryReadPreamble(block, out uint declaredLength)) return DecompressionResult.Corrupt("snappy block length preamble is malformed");
        if (!output.TryReserve(declaredLength)) return DecompressionResult.TooLarge(outputBytesMax);
        byte[] decoded;
        try
        {
            decoded = IronSnappy.Snappy.Decode(block);
        }
        catch (IOException e)
        {
            return DecompressionResult.Corrupt($"snappy: {e.Message}");
        }
        if ((uint)decoded.Length != declaredLength) return DecompressionResult.Corrupt("snappy block decoded to another length than declared");
        decoded.CopyTo(output.Free);
        output.Advance(decoded.Length);
        return null;
    }

    private static bool TryReadPreamble(ReadOnlySpan<byte> block, out uint length)
    {
        length = 0;
        for (int i = 0; i < PreambleSizeBytesMax && i < block.Length; i++)
        {
            byte b = block[i];
            if (i == PreambleSizeBytesMax - 1 && (b & 0xF0) != 0) return false;
            length |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
}
