using System.Buffers.Binary;
using System.Text;
using Reference.Protocol.Compression;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Records;

/// <summary>The header fields a producer or the KRaft log chooses for a batch; defaults are a plain,
/// non-idempotent batch as librdkafka writes it (-1 for producer id, epoch and sequence).</summary>
public sealed record RecordBatchOptions
{
    public long BaseOffset { get; init; }

    /// <summary>-1 (NO_PARTITION_LEADER_EPOCH) until the leader stamps its epoch on append.</summary>
    public int PartitionLeaderEpoch { get; init; } = -1;

    public long ProducerId { get; init; } = -1;

    public short ProducerEpoch { get; init; } = -1;

    public int BaseSequence { get; init; } = -1;

    public bool IsTransactional { get; init; }

    public bool IsControl { get; init; }

    public CompressionType Compression { get; init; }
}

/// <summary>
/// Writes a complete RecordBatch v2 from records (off the hot path: clients, the CLI, tests, and the KRaft
/// log's own batches). Records get consecutive offset deltas from 0; BaseTimestamp is the first record's
/// timestamp, as in Kafka's <c>MemoryRecordsBuilder</c>; the CRC is computed last, over the compressed bytes.
/// </summary>
public sealed class RecordBatchBuilder(RecordBatchOptions options)
{
    private readonly List<(long TimestampMs, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader> Headers)> _records = [];

    public int Count => _records.Count;

    /// <summary>
    /// Appends a record at the next offset delta. Null and empty differ (a null value is a tombstone), and
    /// C# converts a null <c>byte[]</c> to an empty, non-null memory: pass <c>null</c> itself for null.
    /// </summary>
    public RecordBatchBuilder Append(long timestampMs, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null)
    {
        _records.Add((timestampMs, key, value, headers ?? []));
        return this;
    }

    /// <summary>
    /// Appends a record given as arrays. This overload exists because a null <c>byte[]</c> passed where a
    /// <c>ReadOnlyMemory&lt;byte&gt;?</c> is expected converts to an empty memory, turning a tombstone into
    /// an empty value; here a null array stays null.
    /// </summary>
    public RecordBatchBuilder Append(long timestampMs, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null) =>
        Append(timestampMs, AsNullableMemory(key), AsNullableMemory(value), headers);

    /// <summary>Not "bytes is null ? null : ...": C# would type that as ReadOnlyMemory and turn the null empty.</summary>
    private static ReadOnlyMemory<byte>? AsNullableMemory(byte[]? bytes)
    {
        if (bytes is null) return null;
        return bytes;
    }

    /// <summary>Appends a control record: its key is the control key, its value the type's own message.</summary>
    public RecordBatchBuilder AppendControl(long timestampMs, ControlRecordType type, ReadOnlyMemory<byte>? value)
    {
        if (!options.IsControl) throw new InvalidOperationException("control records belong in a batch built with IsControl");
        return Append(timestampMs, ControlRecordKey.For(type).Encode(), value);
    }

    public byte[] Build()
    {
        if (_records.Count == 0) throw new InvalidOperationException("a batch needs at least one record");
        long baseTimestamp = _records[0].TimestampMs;
        long maxTimestamp = _records.Max(record => record.TimestampMs);
        byte[] records = EncodeRecords(baseTimestamp);
        if (options.Compression != CompressionType.None) records = CodecFor(options.Compression).Compress(records);
        var batch = new byte[checked(RecordBatchLayout.HeaderSizeBytes + records.Length)];
        WriteHeader(batch, baseTimestamp, maxTimestamp);
        records.CopyTo(batch.AsSpan(RecordBatchLayout.RecordsAt));
        RecordBatchPatch.WriteCrc(batch);
        return batch;
    }

    private static ICompressionCodec CodecFor(CompressionType type) =>
        CompressionCodecs.ForType(type) ?? throw new ArgumentException($"compression type {type} names no codec");

    private void WriteHeader(Span<byte> batch, long baseTimestamp, long maxTimestamp)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetAt..], options.BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLengthAt..], batch.Length - RecordBatchLayout.LogOverheadBytes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochAt..], options.PartitionLeaderEpoch);
        batch[RecordBatchLayout.MagicAt] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesAt..], Attributes());
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaAt..], _records.Count - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestampAt..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampAt..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerIdAt..], options.ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpochAt..], options.ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequenceAt..], options.BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordCountAt..], _records.Count);
    }

    private short Attributes()
    {
        int attributes = (int)options.Compression & RecordBatchLayout.CompressionMask;
        if (options.IsTransactional) attributes |= RecordBatchLayout.TransactionalBit;
        if (options.IsControl) attributes |= RecordBatchLayout.ControlBit;
        return (short)attributes;
    }

    /// <summary>Each record as DefaultRecord writes it: varint body length, then the body.</summary>
    private byte[] EncodeRecords(long baseTimestamp)
    {
        using var section = new ProtocolWriter();
        using var body = new ProtocolWriter();
        for (int offsetDelta = 0; offsetDelta < _records.Count; offsetDelta++)
        {
            body.Clear();
            var (timestampMs, key, value, headers) = _records[offsetDelta];
            body.WriteInt8(0); // record attributes: unused since KIP-98
            body.WriteVarLong(checked(timestampMs - baseTimestamp));
            body.WriteVarInt(offsetDelta);
            WriteVarBytes(body, key);
            WriteVarBytes(body, value);
            WriteHeaders(body, headers);
            section.WriteVarInt(body.Length);
            section.WriteRaw(body.WrittenSpan);
        }
        return section.ToArray();
    }

    private static void WriteHeaders(ProtocolWriter body, IReadOnlyList<RecordHeader> headers)
    {
        body.WriteVarInt(headers.Count);
        foreach (RecordHeader header in headers)
        {
            byte[] key = Encoding.UTF8.GetBytes(header.Key);
            body.WriteVarInt(key.Length);
            body.WriteRaw(key);
            WriteVarBytes(body, header.Value);
        }
    }

    /// <summary>Record-level bytes: zigzag varint length, -1 for null.</summary>
    private static void WriteVarBytes(ProtocolWriter body, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not ReadOnlyMemory<byte> present)
        {
            body.WriteVarInt(-1);
            return;
        }
        body.WriteVarInt(present.Length);
        body.WriteRaw(present.Span);
    }
}
