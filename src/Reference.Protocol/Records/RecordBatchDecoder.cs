using System.Text;
using Reference.Protocol.Compression;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Records;

/// <summary>The records of one batch, or why they could not be read (then <see cref="Records"/> is empty).</summary>
public sealed record RecordBatchDecodeResult(RecordBatchError Error, IReadOnlyList<Record> Records, string? Detail)
{
    public bool IsOk => Error == RecordBatchError.None;

    internal static RecordBatchDecodeResult Failed(RecordBatchError error, string? detail = null) => new(error, [], detail);
}

/// <summary>
/// Decodes the records of a batch, decompressing them if needed (Kafka's <c>DefaultRecordBatch</c>
/// iterators). For clients, tools and tests; the broker's produce and fetch paths never call it. The batch
/// is validated first (CRC included), decompression is bounded, and malformed records come back as
/// <see cref="RecordBatchError.MalformedRecord"/> rather than an exception.
/// </summary>
public static class RecordBatchDecoder
{
    /// <summary>
    /// How far one batch may decompress unless the caller says otherwise: far above any batch Kafka's
    /// defaults allow (max.message.bytes is 1 MiB compressed) and still a bounded allocation.
    /// </summary>
    public const int DefaultDecompressedBytesMax = 64 * 1024 * 1024;

    /// <summary>Decodes a blob that must hold exactly one batch (what the builder returns).</summary>
    public static RecordBatchDecodeResult DecodeSingle(ReadOnlyMemory<byte> batch, int decompressedBytesMax = DefaultDecompressedBytesMax)
    {
        var walker = new RecordBatchWalker(batch);
        if (!walker.TryNext(out RecordBatchView view)) return RecordBatchDecodeResult.Failed(walker.Stop == RecordBatchError.None ? RecordBatchError.Truncated : walker.Stop);
        if (walker.PositionBytes != batch.Length) return RecordBatchDecodeResult.Failed(RecordBatchError.TrailingBytes);
        return Decode(view, decompressedBytesMax);
    }

    /// <summary>Decodes one framed batch, as <see cref="RecordBatchWalker"/> hands them out.</summary>
    public static RecordBatchDecodeResult Decode(in RecordBatchView batch, int decompressedBytesMax = DefaultDecompressedBytesMax)
    {
        var rules = RecordBatchRules.ForStored(int.MaxValue);
        RecordBatchError invalid = RecordBatchValidator.ValidateBatch(batch, rules);
        if (invalid != RecordBatchError.None) return RecordBatchDecodeResult.Failed(invalid);
        RecordBatchHeader header = batch.Header;
        if (header.Compression == CompressionType.None) return DecodeRecords(header, batch.Records);
        ICompressionCodec codec = CompressionCodecs.ForType(header.Compression)
            ?? throw new InvalidOperationException($"a validated batch has codec {header.Compression}");
        DecompressionResult decompressed = codec.Decompress(batch.Records, decompressedBytesMax);
        return decompressed.IsOk ? DecodeRecords(header, decompressed.Output) : FailedDecompression(decompressed);
    }

    private static RecordBatchDecodeResult FailedDecompression(DecompressionResult result)
    {
        RecordBatchError error = result.Status switch
        {
            DecompressionStatus.Unsupported => RecordBatchError.UnsupportedCompression,
            DecompressionStatus.OutputTooLarge => RecordBatchError.DecompressedTooLarge,
            _ => RecordBatchError.CorruptCompressedData,
        };
        return RecordBatchDecodeResult.Failed(error, result.Detail);
    }

    /// <summary>
    /// Reads exactly RecordCount records from the (decompressed) section. The count is checked against
    /// what the bytes could hold before anything is allocated for it.
    /// </summary>
    private static RecordBatchDecodeResult DecodeRecords(RecordBatchHeader header, ReadOnlyMemory<byte> section)
    {
        if (header.RecordCount > section.Length / RecordBatchLayout.RecordSizeBytesMin)
            return RecordBatchDecodeResult.Failed(RecordBatchError.RecordCountMismatch, $"{header.RecordCount} records cannot fit in {section.Length} bytes");
        var records = new List<Record>(header.RecordCount);
        var reader = new ProtocolReader(section);
        try
        {
            for (int i = 0; i < header.RecordCount; i++)
            {
                if (reader.IsAtEnd) return RecordBatchDecodeResult.Failed(RecordBatchError.RecordCountMismatch, $"only {i} of {header.RecordCount} records present");
                int bodyBytes = reader.ReadVarInt();
                if (bodyBytes < RecordBatchLayout.RecordBodySizeBytesMin) return RecordBatchDecodeResult.Failed(RecordBatchError.MalformedRecord, $"record {i} declares {bodyBytes} bytes");
                if (bodyBytes > reader.Remaining) return RecordBatchDecodeResult.Failed(RecordBatchError.RecordCountMismatch, $"record {i} runs past the batch");
                records.Add(DecodeRecord(header, new ProtocolReader(reader.ReadRaw(bodyBytes))));
            }
        }
        catch (MalformedFrameException e)
        {
            return RecordBatchDecodeResult.Failed(RecordBatchError.MalformedRecord, e.Message);
        }
        return reader.IsAtEnd
            ? new RecordBatchDecodeResult(RecordBatchError.None, records, null)
            : RecordBatchDecodeResult.Failed(RecordBatchError.RecordCountMismatch, $"{reader.Remaining} bytes follow the last record");
    }

    /// <summary>One record body (DefaultRecord.readFrom); it must use exactly its declared length.</summary>
    private static Record DecodeRecord(RecordBatchHeader header, ProtocolReader body)
    {
        body.ReadInt8(); // record attributes: unused
        long timestampDelta = body.ReadVarLong();
        int offsetDelta = body.ReadVarInt();
        if (offsetDelta < 0 || offsetDelta > header.LastOffsetDelta)
            throw new MalformedFrameException($"offset delta {offsetDelta} is outside the batch's 0..{header.LastOffsetDelta}");
        ReadOnlyMemory<byte>? key = ReadVarBytes(ref body);
        ReadOnlyMemory<byte>? value = ReadVarBytes(ref body);
        IReadOnlyList<RecordHeader> headers = ReadHeaders(ref body);
        body.ExpectEnd("a record");
        long timestamp = header.TimestampType == TimestampType.LogAppendTime
            ? header.MaxTimestamp
            : unchecked(header.BaseTimestamp + timestampDelta);
        return new Record(header.BaseOffset + offsetDelta, offsetDelta, timestamp, key, value, headers);
    }

    /// <summary>Each header takes at least two bytes, so a count above half the bytes left is malformed.</summary>
    private static IReadOnlyList<RecordHeader> ReadHeaders(ref ProtocolReader body)
    {
        int count = body.ReadVarInt();
        if (count < 0 || count > body.Remaining / 2) throw new MalformedFrameException($"header count {count} with {body.Remaining} bytes left");
        if (count == 0) return [];
        var headers = new RecordHeader[count];
        for (int i = 0; i < count; i++)
        {
            int keyLength = body.ReadVarInt();
            if (keyLength < 0) throw new MalformedFrameException($"header key length {keyLength}");
            string key = Encoding.UTF8.GetString(body.ReadRaw(keyLength).Span);
            headers[i] = new RecordHeader(key, ReadVarBytes(ref body));
        }
        return headers;
    }

    /// <summary>Record-level bytes: zigzag varint length, -1 for null, any other negative malformed.</summary>
    private static ReadOnlyMemory<byte>? ReadVarBytes(ref ProtocolReader body)
    {
        int length = body.ReadVarInt();
        if (length == -1) return null;
        if (length < -1) throw new MalformedFrameException($"negative length {length}");
        return body.ReadRaw(length);
    }
}
