namespace Reference.Protocol.Compression;

/// <summary>
/// LZ4 frames (the LZ4F format, as Kafka has used since magic 1; KAFKA-3160 fixed the header checksum)
/// through liblz4. We write what Kafka's Java producer and librdkafka write: 64 KiB independent blocks,
/// no content size, no checksums beyond the frame's own header check.
/// </summary>
internal sealed unsafe class Lz4Codec(bool nativeAvailable) : ICompressionCodec
{
    public CompressionType Type => CompressionType.Lz4;

    public bool IsSupported => nativeAvailable;

    public byte[] Compress(ReadOnlySpan<byte> input)
    {
        if (!IsSupported) throw new NotSupportedException("liblz4.so.1 could not be loaded");
        Lz4Preferences preferences = KafkaPreferences();
        nuint bound = Lz4Native.LZ4F_compressFrameBound((nuint)input.Length, &preferences);
        var output = new byte[checked((int)bound)];
        nuint written;
        fixed (byte* source = input)
        fixed (byte* destination = output)
            written = Lz4Native.LZ4F_compressFrame(destination, bound, source, (nuint)input.Length, &preferences);
        if (Lz4Native.LZ4F_isError(written) != 0) throw new InvalidOperationException($"LZ4F_compressFrame failed with code {written}");
        return output.AsSpan(0, (int)written).ToArray();
    }

    private static Lz4Preferences KafkaPreferences() => new()
    {
        BlockSizeId = Lz4Native.BlockSizeId64KiB,
        BlockMode = Lz4Native.BlockModeIndependent,
    };

    public DecompressionResult Decompress(ReadOnlyMemory<byte> input, int outputBytesMax)
    {
        if (!IsSupported) return DecompressionResult.Unsupported(Type);
        if (input.IsEmpty) return DecompressionResult.Corrupt("empty lz4 input holds no frame");
        nint context;
        nuint created = Lz4Native.LZ4F_createDecompressionContext(&context, Lz4Native.FrameApiVersion);
        if (Lz4Native.LZ4F_isError(created) != 0) throw new OutOfMemoryException("liblz4 could not create a decompression context");
        try
        {
            var output = new BoundedOutputBuffer(outputBytesMax, input.Length);
            return DecodeFrames(context, input.Span, output) ?? DecompressionResult.Ok(output.Written);
        }
        finally
        {
            Lz4Native.LZ4F_freeDecompressionContext(context);
        }
    }

    /// <summary>
    /// Feeds the whole input, then drains, until every frame is complete. Each turn consumes input or
    /// produces output (or returns), and both are bounded, so the loop is bounded by their sum.
    /// </summary>
    private static DecompressionResult? DecodeFrames(nint context, ReadOnlySpan<byte> input, BoundedOutputBuffer output)
    {
        int consumed = 0;
        while (true)
        {
            if (!output.EnsureFree()) return DecompressionResult.TooLarge(output.OutputBytesMax);
            Span<byte> free = output.Free;
            nuint sourceSize = (nuint)(input.Length - consumed);
            nuint destinationSize = (nuint)free.Length;
            nuint hint;
            fixed (byte* source = input)
            fixed (byte* destination = free)
                hint = Lz4Native.LZ4F_decompress(context, destination, &destinationSize, source + consumed, &sourceSize, null);
            if (Lz4Native.LZ4F_isError(hint) != 0) return DecompressionResult.Corrupt("lz4 frame is malformed");
            consumed += (int)sourceSize;
            output.Advance((int)destinationSize);
            if (output.ExceedsMax) return DecompressionResult.TooLarge(output.OutputBytesMax);
            bool inputDone = consumed == input.Length;
            if (hint == 0 && inputDone) return null;
            bool roomLeft = (int)destinationSize < free.Length;
            if (inputDone && roomLeft) return DecompressionResult.Corrupt("lz4 frame is truncated");
            if (sourceSize == 0 && destinationSize == 0) return DecompressionResult.Corrupt("lz4 decoder made no progress");
        }
    }
}
