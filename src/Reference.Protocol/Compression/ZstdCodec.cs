namespace Reference.Protocol.Compression;

/// <summary>
/// zstd frames (KIP-110) through libzstd. Decoding streams, because Kafka's writers (zstd-jni's
/// ZstdOutputStream, librdkafka) compress as a stream and leave the content size out of the frame header.
/// </summary>
internal sealed unsafe class ZstdCodec(bool nativeAvailable) : ICompressionCodec
{
    /// <summary>Kafka's default zstd level (compression.zstd.level, KIP-390), zstd's own default too.</summary>
    private const int CompressionLevel = 3;

    /// <summary>
    /// The largest window a frame may ask the decoder to hold: 2^27 bytes, zstd's own default limit, which
    /// admits level 22, the highest Kafka allows (KIP-390). It bounds the decoder's memory whatever the
    /// frame header claims; the output itself is bounded separately by the caller's maximum.
    /// </summary>
    private const int WindowLogMax = 27;

    public CompressionType Type => CompressionType.Zstd;

    public bool IsSupported => nativeAvailable;

    public byte[] Compress(ReadOnlySpan<byte> input)
    {
        if (!IsSupported) throw new NotSupportedException("libzstd.so.1 could not be loaded");
        nuint bound = ZstdNative.ZSTD_compressBound((nuint)input.Length);
        var output = new byte[checked((int)bound)];
        nuint written;
        fixed (byte* source = input)
        fixed (byte* destination = output)
            written = ZstdNative.ZSTD_compress(destination, bound, source, (nuint)input.Length, CompressionLevel);
        if (ZstdNative.ZSTD_isError(written) != 0) throw new InvalidOperationException($"ZSTD_compress failed with code {written}");
        return output.AsSpan(0, (int)written).ToArray();
    }

    public DecompressionResult Decompress(ReadOnlyMemory<byte> input, int outputBytesMax)
    {
        if (!IsSupported) return DecompressionResult.Unsupported(Type);
        if (input.IsEmpty) return DecompressionResult.Corrupt("empty zstd input holds no frame");
        nint stream = ZstdNative.ZSTD_createDStream();
        if (stream == 0) throw new OutOfMemoryException("libzstd could not create a decompression stream");
        try
        {
            if (ZstdNative.ZSTD_isError(ZstdNative.ZSTD_initDStream(stream)) != 0)
                throw new InvalidOperationException("libzstd could not initialise a decompression stream");
            if (ZstdNative.ZSTD_isError(ZstdNative.ZSTD_DCtx_setParameter(stream, ZstdNative.ParameterWindowLogMax, WindowLogMax)) != 0)
                throw new InvalidOperationException("libzstd refused the window limit");
            var output = new BoundedOutputBuffer(outputBytesMax, input.Length);
            return DecodeFrames(stream, input.Span, output) ?? DecompressionResult.Ok(output.Written);
        }
        finally
        {
            ZstdNative.ZSTD_freeDStream(stream);
        }
    }

    /// <summary>
    /// Decodes every frame in the input. Each turn consumes input or produces output (or returns), and both
    /// are bounded, so the loop is bounded by their sum.
    /// </summary>
    private static DecompressionResult? DecodeFrames(nint stream, ReadOnlySpan<byte> input, BoundedOutputBuffer output)
    {
        int consumed = 0;
        while (true)
        {
            if (!output.EnsureFree()) return DecompressionResult.TooLarge(output.OutputBytesMax);
            Span<byte> free = output.Free;
            nuint hint;
            int produced;
            int taken;
            fixed (byte* source = input)
            fixed (byte* destination = free)
            {
                var inBuffer = new ZstdInBuffer { Source = source, Size = (nuint)input.Length, Position = (nuint)consumed };
                var outBuffer = new ZstdOutBuffer { Destination = destination, Size = (nuint)free.Length, Position = 0 };
                hint = ZstdNative.ZSTD_decompressStream(stream, &outBuffer, &inBuffer);
                produced = (int)outBuffer.Position;
                taken = (int)inBuffer.Position - consumed;
            }
            if (ZstdNative.ZSTD_isError(hint) != 0) return DecompressionResult.Corrupt("zstd frame is malformed");
            consumed += taken;
            output.Advance(produced);
            if (output.ExceedsMax) return DecompressionResult.TooLarge(output.OutputBytesMax);
            bool inputDone = consumed == input.Length;
            if (hint == 0 && inputDone) return null;
            if (inputDone && produced < free.Length) return DecompressionResult.Corrupt("zstd frame is truncated");
            if (taken == 0 && produced == 0) return DecompressionResult.Corrupt("zstd decoder made no progress");
        }
    }
}
