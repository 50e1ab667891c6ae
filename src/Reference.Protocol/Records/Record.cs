namespace Reference.Protocol.Records;

/// <summary>A record header (KIP-82): a UTF-8 key that is never null and a value that may be.</summary>
public sealed record RecordHeader(string Key, ReadOnlyMemory<byte>? Value);

/// <summary>
/// One decoded record (Kafka's <c>DefaultRecord</c>). Records are decoded only off the hot path, for
/// clients, tools and tests; key, value and header values are slices of the batch (or of its decompressed
/// records), not copies. Null and empty are different: a null value is a tombstone.
/// </summary>
/// <param name="Offset">The absolute offset: the batch's BaseOffset plus <paramref name="OffsetDelta"/>.</param>
/// <param name="Timestamp">Absolute milliseconds: BaseTimestamp plus the record's delta, or the batch's
/// MaxTimestamp for LogAppendTime batches.</param>
public sealed record Record(
    long Offset,
    int OffsetDelta,
    long Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
