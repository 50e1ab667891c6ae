using System.Buffers.Binary;

namespace Reference.Protocol.Records;

/// <summary>
/// Rewrites a batch's header in place on the append path. BaseOffset and PartitionLeaderEpoch lie before
/// the CRC-covered region, so setting them leaves the CRC valid (which is why KIP-98 put them there);
/// only the LogAppendTime rewrite touches covered bytes and recomputes the CRC.
/// </summary>
public static class RecordBatchPatch
{
    public static void SetBaseOffset(Span<byte> batch, long baseOffset)
    {
        RequireHeader(batch);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetAt..], baseOffset);
    }

    public static void SetPartitionLeaderEpoch(Span<byte> batch, int partitionLeaderEpoch)
    {
        RequireHeader(batch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochAt..], partitionLeaderEpoch);
    }

    /// <summary>
    /// Gives the batches of a validated blob consecutive offsets from <paramref name="firstOffset"/> and
    /// stamps the leader's epoch on each, as a partition leader does on append. Returns the next offset.
    /// </summary>
    public static long AssignOffsets(Span<byte> validatedRecords, long firstOffset, int partitionLeaderEpoch)
    {
        long nextOffset = firstOffset;
        Span<byte> rest = validatedRecords;
        while (!rest.IsEmpty)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(rest);
            if (header.SizeBytes > rest.Length) throw new ArgumentException("records were not validated: a batch runs past the end", nameof(validatedRecords));
            SetBaseOffset(rest, nextOffset);
            SetPartitionLeaderEpoch(rest, partitionLeaderEpoch);
            nextOffset = checked(nextOffset + header.LastOffsetDelta + 1);
            rest = rest[(int)header.SizeBytes..];
        }
        return nextOffset;
    }

    /// <summary>
    /// Marks a batch as LogAppendTime with the broker's clock (message.timestamp.type=LogAppendTime): sets
    /// attribute bit 3 and MaxTimestamp, then recomputes the CRC, since both fields are covered by it.
    /// </summary>
    public static void SetLogAppendTime(Span<byte> batch, long logAppendTimeMs)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        if (header.SizeBytes > batch.Length) throw new ArgumentException("batch is shorter than its BatchLength", nameof(batch));
        Span<byte> whole = batch[..(int)header.SizeBytes];
        short attributes = (short)(header.Attributes | RecordBatchLayout.TimestampTypeBit);
        BinaryPrimitives.WriteInt16BigEndian(whole[RecordBatchLayout.AttributesAt..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(whole[RecordBatchLayout.MaxTimestampAt..], logAppendTimeMs);
        WriteCrc(whole);
    }

    /// <summary>Computes and stores the CRC of a complete batch (the builder's last step too).</summary>
    internal static void WriteCrc(Span<byte> wholeBatch) =>
        BinaryPrimitives.WriteUInt32BigEndian(wholeBatch[RecordBatchLayout.CrcAt..], Crc32C.Compute(wholeBatch[RecordBatchLayout.CrcCoveredFrom..]));

    private static void RequireHeader(Span<byte> batch)
    {
        if (batch.Length < RecordBatchLayout.HeaderSizeBytes)
            throw new ArgumentException($"a batch header needs {RecordBatchLayout.HeaderSizeBytes} bytes, got {batch.Length}", nameof(batch));
    }
}
