namespace Reference.Protocol.Compression;

/// <summary>
/// One record-batch codec. Decompression reads untrusted bytes, so it is bounded by a stated output size
/// and reports every failure as a <see cref="DecompressionResult"/>; compression only ever sees our own
/// records, so asking it of a codec that is not supported here is a programmer error.
/// </summary>
public interface ICompressionCodec
{
    CompressionType Type { get; }

    /// <summary>False when the codec's native library could not be loaded on this machine.</summary>
    bool IsSupported { get; }

    /// <summary>Compresses <paramref name="input"/>; throws <see cref="NotSupportedException"/> when not <see cref="IsSupported"/>.</summary>
    byte[] Compress(ReadOnlySpan<byte> input);

    /// <summary>
    /// Decompresses <paramref name="input"/>, producing at most <paramref name="outputBytesMax"/> bytes and
    /// allocating at most one byte more; never throws on bad input.
    /// </summary>
    DecompressionResult Decompress(ReadOnlyMemory<byte> input, int outputBytesMax);
}
