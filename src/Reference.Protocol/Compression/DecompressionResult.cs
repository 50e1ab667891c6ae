namespace Reference.Protocol.Compression;

/// <summary>How a decompression ended. Everything but <see cref="Ok"/> is an expected outcome of
/// untrusted input or of this machine's libraries, never an exception.</summary>
public enum DecompressionStatus
{
    Ok,
    /// <summary>The codec's library is not available here; Kafka answers UNSUPPORTED_COMPRESSION_TYPE (76).</summary>
    Unsupported,
    /// <summary>The input is not a well-formed stream of the codec (bad data, truncated, trailing bytes).</summary>
    Corrupt,
    /// <summary>The output would exceed the caller's stated maximum (a zip bomb, or a batch too large).</summary>
    OutputTooLarge,
}

/// <summary>The outcome of <see cref="ICompressionCodec.Decompress"/>; <see cref="Output"/> is empty unless Ok.</summary>
public readonly record struct DecompressionResult(DecompressionStatus Status, ReadOnlyMemory<byte> Output, string? Detail)
{
    public bool IsOk => Status == DecompressionStatus.Ok;

    public static DecompressionResult Ok(ReadOnlyMemory<byte> output) => new(DecompressionStatus.Ok, output, null);

    public static DecompressionResult Unsupported(CompressionType type) =>
        new(DecompressionStatus.Unsupported, default, $"{type} is not available on this machine");

    public static DecompressionResult Corrupt(string detail) => new(DecompressionStatus.Corrupt, default, detail);

    public static DecompressionResult TooLarge(int outputBytesMax) =>
        new(DecompressionStatus.OutputTooLarge, default, $"output exceeds {outputBytesMax} bytes");
}
