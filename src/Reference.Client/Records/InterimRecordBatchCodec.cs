using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Reference.Client.Errors;
using Reference.Protocol.Primitives;

namespace Reference.Client.Records;

/// <summary>
/// A stand-in for Reference.Protocol.Records, which is being written on its own branch: RecordBatch v2
/// (DefaultRecordBatch.java, research/kafka-protocol-scope.md §2) without compression, idempotence or
/// transactions. It writes batches with producer id -1 and reads uncompressed batches, checking their
/// CRC-32C and skipping control batches. When the real library lands, implement
/// <see cref="IRecordBatchCodec"/> over it and delete this file.
/// </summary>
public sealed class InterimRecordBatchCodec : IRecordBatchCodec
{
    private const long BaseOffsetField = 0;
    private const int LogOverheadBytes = 12; // BaseOffset and BatchLength, which BatchLength does not count
    private const int HeaderBytes = 61;
    private const int MagicPosition = 16;
    private const int CrcPosition = 17;
    private const int AttributesPosition = 21;
    private const byte Magic = 2;
    private const short CompressionMask = 0x07;
    private const short TimestampTypeBit = 0x08;
    private const short ControlBit = 0x20;

    public static InterimRecordBatchCodec Instance { get; } = new();

    public byte[] Encode(IReadOnlyList<BatchRecord> records)
    {
        if (records.Count == 0) throw new ArgumentException("a batch holds at least one record", nameof(records));
        long baseTimestamp = records[0].TimestampMs;
        long maxTimestamp = records.Max(r => r.TimestampMs);
        using var writer = new ProtocolWriter();
        writer.WriteInt64(BaseOffsetField);
        int lengthPosition = writer.ReserveInt32();
        writer.WriteInt32(-1);                   // PartitionLeaderEpoch: the broker sets it
        writer.WriteInt8((sbyte)Magic);
        int crcPosition = writer.ReserveInt32();
        writer.WriteInt16(0);                    // Attributes: no compression, CreateTime, not transactional
        writer.WriteInt32(records.Count - 1);    // LastOffsetDelta
        writer.WriteInt64(baseTimestamp);
        writer.WriteInt64(maxTimestamp);
        writer.WriteInt64(-1);                   // ProducerId: not idempotent
        writer.WriteInt16(-1);                   // ProducerEpoch
        writer.WriteInt32(-1);                   // BaseSequence
        writer.WriteInt32(records.Count);
        using var recordWriter = new ProtocolWriter();
        for (int offsetDelta = 0; offsetDelta < records.Count; offsetDelta++)
        {
            recordWriter.Clear();
            WriteRecordBody(recordWriter, records[offsetDelta], offsetDelta, baseTimestamp);
            writer.WriteVarInt(recordWriter.Length);
            writer.WriteRaw(recordWriter.WrittenSpan);
        }
        writer.PatchInt32(lengthPosition, writer.Length - LogOverheadBytes);
        writer.PatchInt32(crcPosition, unchecked((int)Crc32C(writer.WrittenSpan[AttributesPosition..])));
        return writer.ToArray();
    }

    public DecodedRecords Decode(ReadOnlyMemory<byte> records)
    {
        var decoded = new List<DecodedRecord>();
        long? nextOffset = null;
        int position = 0;
        // Bounded by the input: every pass consumes one whole batch of at least HeaderBytes.
        while (records.Length - position >= LogOverheadBytes)
        {
            ReadOnlySpan<byte> rest = records.Span[position..];
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(rest);
            int batchLength = BinaryPrimitives.ReadInt32BigEndian(rest[8..]);
            int batchBytes = LogOverheadBytes + batchLength;
            if (batchLength < HeaderBytes - LogOverheadBytes)
                throw new KafkaProtocolException($"The batch at offset {baseOffset} claims {batchLength} bytes, fewer than a batch header.");
            if (batchBytes > rest.Length) break; // the broker cut the last batch at the fetch size
            ReadBatch(records.Slice(position, batchBytes), decoded, out long batchNextOffset);
            nextOffset = batchNextOffset;
            position += batchBytes;
        }
        return new DecodedRecords(decoded, nextOffset);
    }

    private static void ReadBatch(ReadOnlyMemory<byte> batch, List<DecodedRecord> into, out long nextOffset)
    {
        ReadOnlySpan<byte> span = batch.Span;
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(span);
        byte magic = span[MagicPosition];
        if (magic != Magic)
            throw new KafkaProtocolException($"The batch at offset {baseOffset} has magic {magic}; this client reads only RecordBatch v2 (magic 2).");
        uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(span[CrcPosition..]);
        uint computedCrc = Crc32C(span[AttributesPosition..]);
        if (storedCrc != computedCrc)
            throw new KafkaProtocolException($"The batch at offset {baseOffset} fails its CRC-32C check (stored {storedCrc:x8}, computed {computedCrc:x8}): the data is corrupt.");

        var reader = new ProtocolReader(batch[AttributesPosition..]);
        try
        {
            short attributes = reader.ReadInt16();
            int lastOffsetDelta = reader.ReadInt32();
            long baseTimestamp = reader.ReadInt64();
            long maxTimestamp = reader.ReadInt64();
            reader.ReadInt64();  // ProducerId
            reader.ReadInt16();  // ProducerEpoch
            reader.ReadInt32();  // BaseSequence
            int count = reader.ReadInt32();
            nextOffset = baseOffset + lastOffsetDelta + 1;
            if ((attributes & ControlBit) != 0) return; // transaction markers: no data for a reader
            int compression = attributes & CompressionMask;
            if (compression != 0)
                throw new KafkaProtocolException($"The batch at offset {baseOffset} is compressed (codec {compression}); this client reads only uncompressed batches until Reference.Protocol.Records lands.");
            var timestampType = (attributes & TimestampTypeBit) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
            if (count < 0 || count > reader.Remaining)
                throw new KafkaProtocolException($"The batch at offset {baseOffset} claims {count} records in {reader.Remaining} bytes.");
            for (int i = 0; i < count; i++)
                into.Add(ReadRecord(ref reader, baseOffset, baseTimestamp, timestampType == TimestampType.LogAppendTime ? maxTimestamp : null, timestampType));
        }
        catch (MalformedFrameException malformed)
        {
            throw new KafkaProtocolException($"The batch at offset {baseOffset} is malformed: {malformed.Message}");
        }
    }

    private static void WriteRecordBody(ProtocolWriter writer, BatchRecord record, int offsetDelta, long baseTimestamp)
    {
        writer.WriteInt8(0); // record attributes: unused
        writer.WriteVarLong(record.TimestampMs - baseTimestamp);
        writer.WriteVarInt(offsetDelta);
        WriteVarBytes(writer, record.Key);
        WriteVarBytes(writer, record.Value);
        writer.WriteVarInt(record.Headers.Count);
        foreach (RecordHeader header in record.Headers)
        {
            WriteVarBytes(writer, Encoding.UTF8.GetBytes(header.Key));
            WriteVarBytes(writer, header.Value);
        }
    }

    private static DecodedRecord ReadRecord(ref ProtocolReader reader, long baseOffset, long baseTimestamp, long? logAppendTime, TimestampType timestampType)
    {
        int length = reader.ReadVarInt();
        int end = reader.Position + length;
        reader.ReadInt8();
        long timestampDelta = reader.ReadVarLong();
        int offsetDelta = reader.ReadVarInt();
        byte[]? key = ReadVarBytes(ref reader);
        byte[]? value = ReadVarBytes(ref reader);
        int headerCount = reader.ReadVarInt();
        if (headerCount < 0 || headerCount > reader.Remaining) throw new MalformedFrameException($"{headerCount} headers");
        var headers = new List<RecordHeader>(headerCount);
        for (int i = 0; i < headerCount; i++)
        {
            byte[] headerKey = ReadVarBytes(ref reader) ?? throw new MalformedFrameException("a null header key");
            headers.Add(new RecordHeader(Encoding.UTF8.GetString(headerKey), ReadVarBytes(ref reader)));
        }
        if (reader.Position != end) throw new MalformedFrameException($"a record's length says {length} bytes but its fields end elsewhere");
        return new DecodedRecord(baseOffset + offsetDelta, logAppendTime ?? baseTimestamp + timestampDelta, timestampType, key, value, headers);
    }

    private static void WriteVarBytes(ProtocolWriter writer, byte[]? bytes)
    {
        if (bytes is null)
        {
            writer.WriteVarInt(-1);
            return;
        }
        writer.WriteVarInt(bytes.Length);
        writer.WriteRaw(bytes);
    }

    private static byte[]? ReadVarBytes(ref ProtocolReader reader)
    {
        int length = reader.ReadVarInt();
        if (length < -1) throw new MalformedFrameException($"length {length}");
        return length < 0 ? null : reader.ReadRaw(length).ToArray();
    }

    /// <summary>CRC-32C (Castagnoli), as RecordBatch v2 uses; the CPU's instruction where it has one.</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFF;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
