namespace Reference.Protocol.Records;

/// <summary>
/// Where each field of a RecordBatch v2 header sits (Kafka's <c>DefaultRecordBatch</c>, KIP-98). All
/// integers are big-endian. The CRC covers Attributes to the end of the batch, so the broker can rewrite
/// BaseOffset and PartitionLeaderEpoch, which come before it, without recomputing it.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffsetAt = 0;
    public const int BatchLengthAt = 8;
    public const int PartitionLeaderEpochAt = 12;
    public const int MagicAt = 16;
    public const int CrcAt = 17;
    public const int AttributesAt = 21;
    public const int LastOffsetDeltaAt = 23;
    public const int BaseTimestampAt = 27;
    public const int MaxTimestampAt = 35;
    public const int ProducerIdAt = 43;
    public const int ProducerEpochAt = 51;
    public const int BaseSequenceAt = 53;
    public const int RecordCountAt = 57;
    public const int RecordsAt = 61;

    public const int HeaderSizeBytes = RecordsAt;

    /// <summary>BaseOffset and BatchLength, the bytes BatchLength does not count (Kafka's LOG_OVERHEAD).</summary>
    public const int LogOverheadBytes = 12;

    /// <summary>The smallest BatchLength a batch can declare: a header with no records.</summary>
    public const int BatchLengthMin = HeaderSizeBytes - LogOverheadBytes;

    /// <summary>The CRC-32C covers from here to the end of the batch.</summary>
    public const int CrcCoveredFrom = AttributesAt;

    /// <summary>The only message format we speak; magic sits at the same place in every format (v0, v1, v2).</summary>
    public const byte CurrentMagic = 2;

    // Attribute bits (DefaultRecordBatch): 0-2 codec, 3 timestamp type, 4 transactional, 5 control,
    // 6 delete horizon (KIP-534); the rest are unused.
    internal const short CompressionMask = 0x07;
    internal const short TimestampTypeBit = 0x08;
    internal const short TransactionalBit = 0x10;
    internal const short ControlBit = 0x20;
    internal const short DeleteHorizonBit = 0x40;

    /// <summary>
    /// The fewest bytes one record can take in an uncompressed batch: a one-byte length varint, then
    /// attributes, timestamp delta, offset delta, key length, value length and header count at one byte each.
    /// </summary>
    public const int RecordSizeBytesMin = 7;

    /// <summary>The body after the length varint: <see cref="RecordSizeBytesMin"/> less the length itself.</summary>
    internal const int RecordBodySizeBytesMin = RecordSizeBytesMin - 1;
}
