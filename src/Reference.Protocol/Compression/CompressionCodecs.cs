namespace Reference.Protocol.Compression;

/// <summary>The codec for each <see cref="CompressionType"/>, one shared instance each (they hold no state).</summary>
public static class CompressionCodecs
{
    public static ICompressionCodec Gzip { get; } = new GzipCodec();

    public static ICompressionCodec Snappy { get; } = new SnappyCodec();

    public static ICompressionCodec Lz4 { get; } = new Lz4Codec(Lz4Native.IsAvailable);

    public static ICompressionCodec Zstd { get; } = new ZstdCodec(ZstdNative.IsAvailable);

    /// <summary>The codec of a compressed batch; null for <see cref="CompressionType.None"/> and for the
    /// attribute values 5-7 that name no codec.</summary>
    public static ICompressionCodec? ForType(CompressionType type) => type switch
    {
        CompressionType.Gzip => Gzip,
        CompressionType.Snappy => Snappy,
        CompressionType.Lz4 => Lz4,
        CompressionType.Zstd => Zstd,
        _ => null,
    };

    /// <summary>True for the values Kafka defines (0-4), whether or not this machine can run them.</summary>
    public static bool IsDefined(CompressionType type) => type <= CompressionType.Zstd;
}
