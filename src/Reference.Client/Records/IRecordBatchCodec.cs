namespace Reference.Client.Records;

/// <summary>One record to put in a batch; its offset is its place in the list.</summary>
public sealed record BatchRecord(byte[]? Key, byte[]? Value, IReadOnlyList<RecordHeader> Headers, long TimestampMs);

/// <summary>One record read back from a batch, with its absolute offset.</summary>
public sealed record DecodedRecord(long Offset, long TimestampMs, TimestampType TimestampType, byte[]? Key, byte[]? Value, IReadOnlyList<RecordHeader> Headers);

/// <summary>
/// The records of a Fetch answer's complete batches (control batches contribute none), and the offset
/// after the last complete batch, so a reader can move past batches that held no data for it. Null when
/// there was no complete batch (a partial one is cut off by the broker at the fetch size).
/// </summary>
public sealed record DecodedRecords(IReadOnlyList<DecodedRecord> Records, long? NextOffset);

/// <summary>
/// The seam between this client and the RecordBatch v2 format (DefaultRecordBatch.java). The producer
/// writes one batch per partition per request; consumers read every batch a Fetch returns.
/// </summary>
public interface IRecordBatchCodec
{
    /// <summary>A RecordBatch v2 with base offset 0, for a Produce request (the broker assigns offsets).</summary>
    byte[] Encode(IReadOnlyList<BatchRecord> records);

    /// <summary>Every record of every complete batch in a Fetch answer's records field.</summary>
    DecodedRecords Decode(ReadOnlyMemory<byte> records);
}
