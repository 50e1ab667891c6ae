namespace Reference.Protocol.Records;

/// <summary>
/// Why a records blob or one of its batches was refused. The broker maps these to Kafka error codes
/// (CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE); readers report them.
/// </summary>
public enum RecordBatchError
{
    None = 0,

    // Framing: found by walking the blob, before any content is trusted.

    /// <summary>Fewer bytes remain than the header, or than the batch's own BatchLength declares.</summary>
    Truncated,

    /// <summary>BatchLength is smaller than a header with no records (49), or negative.</summary>
    BatchLengthTooSmall,

    /// <summary>The batch is larger than the stated maximum (max.message.bytes: MESSAGE_TOO_LARGE).</summary>
    BatchTooLarge,

    /// <summary>Magic is not 2: a v0/v1 message set, which we do not speak, or garbage.</summary>
    UnsupportedMagic,

    // Content: checked per batch once it is framed.

    /// <summary>The stored CRC-32C does not match Attributes..end.</summary>
    CrcMismatch,

    /// <summary>Attribute bits 0-2 hold 5, 6 or 7, which name no codec.</summary>
    UnknownCompressionType,

    /// <summary>RecordCount is negative, or zero where records are required.</summary>
    InvalidRecordCount,

    /// <summary>LastOffsetDelta is negative, leaves fewer offsets than records, or (on produce) is not RecordCount - 1.</summary>
    InvalidOffsetDelta,

    /// <summary>BaseOffset + LastOffsetDelta + 1 does not fit in an int64.</summary>
    OffsetOverflow,

    /// <summary>The records section does not hold exactly RecordCount records.</summary>
    RecordCountMismatch,

    /// <summary>Bytes follow the batch where exactly one batch was expected.</summary>
    TrailingBytes,

    /// <summary>A record inside the batch is malformed (bad varint, impossible length, bytes left over).</summary>
    MalformedRecord,

    // Decompression: only when records are decoded.

    /// <summary>The codec is defined but not available on this machine (UNSUPPORTED_COMPRESSION_TYPE).</summary>
    UnsupportedCompression,

    /// <summary>The compressed records are not a well-formed stream of their codec.</summary>
    CorruptCompressedData,

    /// <summary>The records decompress to more than the stated maximum.</summary>
    DecompressedTooLarge,
}
