using System.Buffers.Binary;
using Reference.Protocol.Compression;

namespace Reference.Protocol.Records;

/// <summary>
/// The 61-byte header of a RecordBatch v2, read into a value so the hot path can look at a batch without
/// decoding its records. Reading checks only that 61 bytes are there; whether they make sense is the
/// validator's job (<see cref="RecordBatchValidator"/>).
/// </summary>
public readonly struct RecordBatchHeader
{
    private RecordBatchHeader(ReadOnlySpan<byte> header)
    {
        BaseOffset = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.BaseOffsetAt..]);
        BatchLength = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.BatchLengthAt..]);
        PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.PartitionLeaderEpochAt..]);
        Magic = header[RecordBatchLayout.MagicAt];
        Crc = BinaryPrimitives.ReadUInt32BigEndian(header[RecordBatchLayout.CrcAt..]);
        Attributes = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.AttributesAt..]);
        LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.LastOffsetDeltaAt..]);
        BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.BaseTimestampAt..]);
        MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.MaxTimestampAt..]);
        ProducerId = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.ProducerIdAt..]);
        ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.ProducerEpochAt..]);
        BaseSequence = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.BaseSequenceAt..]);
        RecordCount = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.RecordCountAt..]);
    }

    /// <summary>Reads the header at the start of <paramref name="batch"/>; false when fewer than 61 bytes are there.</summary>
    public static bool TryRead(ReadOnlySpan<byte> batch, out RecordBatchHeader header)
    {
        if (batch.Length < RecordBatchLayout.HeaderSizeBytes)
        {
            header = default;
            return false;
        }
        header = new RecordBatchHeader(batch);
        return true;
    }

    /// <summary>Reads a header the caller knows is complete (a batch the walker handed out).</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch) =>
        TryRead(batch, out RecordBatchHeader header)
            ? header
            : throw new ArgumentException($"a batch header needs {RecordBatchLayout.HeaderSizeBytes} bytes, got {batch.Length}", nameof(batch));

    public long BaseOffset { get; }

    /// <summary>Bytes after the BatchLength field itself, i.e. the batch's size less 12.</summary>
    public int BatchLength { get; }

    public int PartitionLeaderEpoch { get; }

    public byte Magic { get; }

    public uint Crc { get; }

    public short Attributes { get; }

    public int LastOffsetDelta { get; }

    public long BaseTimestamp { get; }

    public long MaxTimestamp { get; }

    /// <summary>-1 when the producer is not idempotent.</summary>
    public long ProducerId { get; }

    public short ProducerEpoch { get; }

    public int BaseSequence { get; }

    public int RecordCount { get; }

    /// <summary>The batch's whole size on the wire, BaseOffset included.</summary>
    public long SizeBytes => (long)BatchLength + RecordBatchLayout.LogOverheadBytes;

    public CompressionType Compression => (CompressionType)(Attributes & RecordBatchLayout.CompressionMask);

    public TimestampType TimestampType =>
        (Attributes & RecordBatchLayout.TimestampTypeBit) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    public bool IsTransactional => (Attributes & RecordBatchLayout.TransactionalBit) != 0;

    /// <summary>A batch of control records (transaction markers, KRaft's leader-change and snapshot records).</summary>
    public bool IsControl => (Attributes & RecordBatchLayout.ControlBit) != 0;

    /// <summary>KIP-534: BaseTimestamp holds the delete horizon the log cleaner set for tombstones and markers.</summary>
    public bool HasDeleteHorizon => (Attributes & RecordBatchLayout.DeleteHorizonBit) != 0;

    /// <summary>The offset of the batch's last record; the validator rejects batches where this overflows.</summary>
    public long LastOffset => unchecked(BaseOffset + LastOffsetDelta);

    /// <summary>The offset the next batch in the log starts at.</summary>
    public long NextOffset => unchecked(LastOffset + 1);
}
