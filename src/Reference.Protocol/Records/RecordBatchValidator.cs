using Reference.Protocol.Compression;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Records;

/// <summary>The outcome of validating a records blob.</summary>
/// <param name="Error">The first fault found, or None.</param>
/// <param name="PositionBytes">Where the faulty batch starts in the blob (the blob's length when valid).</param>
/// <param name="BatchCount">Batches that passed before the fault (all of them when valid).</param>
/// <param name="RecordCount">The sum of their RecordCount fields.</param>
public readonly record struct RecordsValidation(RecordBatchError Error, int PositionBytes, int BatchCount, long RecordCount)
{
    public bool IsValid => Error == RecordBatchError.None;
}

/// <summary>
/// Checks batches as they arrive, without decoding or copying them: framing, size, CRC-32C, attributes,
/// counts and offsets, and for uncompressed batches that the records section holds exactly RecordCount
/// length-prefixed records (Kafka's <c>LogValidator</c> checks as much on append). Bad input is a result,
/// never an exception, and nothing is allocated.
/// </summary>
public static class RecordBatchValidator
{
    /// <summary>Validates every batch of a blob; a partial trailing batch is a fault (Truncated).</summary>
    public static RecordsValidation Validate(ReadOnlyMemory<byte> records, RecordBatchRules rules)
    {
        var walker = new RecordBatchWalker(records);
        int batchCount = 0;
        long recordCount = 0;
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchError error = ValidateBatch(batch, rules);
            if (error != RecordBatchError.None) return new RecordsValidation(error, batch.PositionBytes, batchCount, recordCount);
            batchCount++;
            recordCount += batch.Header.RecordCount;
        }
        return new RecordsValidation(walker.Stop, walker.PositionBytes, batchCount, recordCount);
    }

    /// <summary>The content checks of one framed batch (as the walker hands it out).</summary>
    public static RecordBatchError ValidateBatch(in RecordBatchView batch, RecordBatchRules rules)
    {
        RecordBatchHeader header = batch.Header;
        ReadOnlySpan<byte> bytes = batch.Memory.Span;
        if (header.SizeBytes > rules.BatchSizeBytesMax) return RecordBatchError.BatchTooLarge;
        if (Crc32C.Compute(bytes[RecordBatchLayout.CrcCoveredFrom..]) != header.Crc) return RecordBatchError.CrcMismatch;
        if (!CompressionCodecs.IsDefined(header.Compression)) return RecordBatchError.UnknownCompressionType;
        RecordBatchError offsets = CheckCountAndOffsets(header, rules);
        if (offsets != RecordBatchError.None) return offsets;
        return header.Compression == CompressionType.None
            ? CheckUncompressedRecords(bytes[RecordBatchLayout.RecordsAt..], header.RecordCount)
            : RecordBatchError.None;
    }

    /// <summary>
    /// Compaction can remove records but never offsets, so LastOffsetDelta >= RecordCount - 1 always holds;
    /// a producer's batch must have records at exactly 0..RecordCount-1 (LogValidator.validateBatch).
    /// </summary>
    private static RecordBatchError CheckCountAndOffsets(RecordBatchHeader header, RecordBatchRules rules)
    {
        if (header.RecordCount < 0) return RecordBatchError.InvalidRecordCount;
        if (rules.RequireDenseOffsets && header.RecordCount == 0) return RecordBatchError.InvalidRecordCount;
        if (header.LastOffsetDelta < 0 || header.LastOffsetDelta < header.RecordCount - 1) return RecordBatchError.InvalidOffsetDelta;
        if (rules.RequireDenseOffsets && header.LastOffsetDelta != header.RecordCount - 1) return RecordBatchError.InvalidOffsetDelta;
        if (header.BaseOffset > long.MaxValue - 1 - header.LastOffsetDelta) return RecordBatchError.OffsetOverflow;
        return RecordBatchError.None;
    }

    /// <summary>
    /// Skips record by record on the length varints alone. Each step consumes at least
    /// <see cref="RecordBatchLayout.RecordSizeBytesMin"/> bytes, so the loop is bounded by the section's size
    /// whatever RecordCount claims.
    /// </summary>
    private static RecordBatchError CheckUncompressedRecords(ReadOnlySpan<byte> section, int recordCount)
    {
        for (int i = 0; i < recordCount; i++)
        {
            if (section.IsEmpty) return RecordBatchError.RecordCountMismatch;
            if (!VarInts.TryReadZigZag(section, out int bodyBytes, out int lengthBytes)) return RecordBatchError.MalformedRecord;
            if (bodyBytes < RecordBatchLayout.RecordBodySizeBytesMin) return RecordBatchError.MalformedRecord;
            if (bodyBytes > section.Length - lengthBytes) return RecordBatchError.RecordCountMismatch;
            section = section[(lengthBytes + bodyBytes)..];
        }
        return section.IsEmpty ? RecordBatchError.None : RecordBatchError.RecordCountMismatch;
    }
}
