using Reference.Client.Errors;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;
using ProtocolHeader = Reference.Protocol.Records.RecordHeader;

namespace Reference.Client.Records;

/// <summary>
/// The client's RecordBatch v2 codec, over the protocol library's builder, walker and decoder: the
/// producer writes one batch per partition per request (compressed when asked), consumers read every
/// complete batch of a Fetch answer, checking CRCs and decompressing.
/// </summary>
public sealed class RecordBatchCodec(CompressionType compression = CompressionType.None) : IRecordBatchCodec
{
    public static RecordBatchCodec Uncompressed { get; } = new();

    public byte[] Encode(IReadOnlyList<BatchRecord> records)
    {
        if (records.Count == 0) throw new ArgumentException("a batch holds at least one record", nameof(records));
        var builder = new RecordBatchBuilder(new RecordBatchOptions { Compression = compression });
        foreach (BatchRecord record in records)
            builder.Append(record.TimestampMs, record.Key, record.Value,
                record.Headers.Select(ToProtocolHeader).ToList());
        return builder.Build();
    }

    private static ProtocolHeader ToProtocolHeader(RecordHeader header)
    {
        if (header.Value is null) return new ProtocolHeader(header.Key, null);
        return new ProtocolHeader(header.Key, header.Value);
    }

    public DecodedRecords Decode(ReadOnlyMemory<byte> records)
    {
        var decoded = new List<DecodedRecord>();
        long? nextOffset = null;
        var walker = new RecordBatchWalker(records);
        while (walker.TryNext(out RecordBatchView batch))
        {
            nextOffset = batch.Header.NextOffset;
            if (batch.Header.IsControl) continue; // transaction markers carry no data for a reader
            RecordBatchDecodeResult result = RecordBatchDecoder.Decode(batch);
            if (!result.IsOk)
                throw new KafkaProtocolException($"The batch at offset {batch.Header.BaseOffset} cannot be read ({result.Error}): {result.Detail}");
            var timestampType = batch.Header.TimestampType == Protocol.Records.TimestampType.LogAppendTime
                ? TimestampType.LogAppendTime : TimestampType.CreateTime;
            foreach (Record record in result.Records)
                decoded.Add(new DecodedRecord(record.Offset, record.Timestamp, timestampType, record.Key?.ToArray(), record.Value?.ToArray(),
                    record.Headers.Select(h => new RecordHeader(h.Key, h.Value?.ToArray())).ToList()));
        }
        // A Fetch answer may end in a batch cut at the size limit: the consumer fetches it again whole.
        if (walker.Stop is not (RecordBatchError.None or RecordBatchError.Truncated))
            throw new KafkaProtocolException($"The fetched records are malformed at byte {walker.PositionBytes}: {walker.Stop}.");
        return new DecodedRecords(decoded, nextOffset);
    }
}
