namespace Reference.Protocol.Compression;

/// <summary>
/// The codec of a record batch, bits 0-2 of its attributes (Kafka's <c>CompressionType</c>). Values 5-7
/// fit in the bits but name no codec; the batch validator rejects them.
/// </summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    /// <summary>KIP-110; clients only send it from Produce v7 and read it from Fetch v10.</summary>
    Zstd = 4,
}
