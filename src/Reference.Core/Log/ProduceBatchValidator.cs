using Reference.Protocol;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;

namespace Reference.Core.Log;

/// <summary>The verdict on one partition's records in a Produce request: an error, or the one batch to append.</summary>
public readonly record struct ProduceBatchCheck(ErrorCode Error, string? Message, RecordBatchView Batch)
{
    public bool IsValid => Error == ErrorCode.None;

    public static ProduceBatchCheck Refuse(ErrorCode error, string message) => new(error, message, default);
}

/// <summary>
/// What a leader checks of a producer's records before it appends them, in Kafka's order: the request
/// rules (ProduceRequest.validateRecords: magic 2 only, one batch per partition, zstd from v7), then the
/// append rules (UnifiedLog.analyzeAndValidateRecords and LogValidator.validateBatch: base offset 0, size,
/// CRC-32C, dense offsets and counts, no control batches, a sequence with every producer id). The batch
/// is never decoded; compressed batches are checked through their header only.
/// </summary>
public static class ProduceBatchValidator
{
    /// <summary>Zstd needs Produce v7 (KIP-110), so older clients cannot write what older consumers cannot read.</summary>
    public const short ZstdProduceVersionMin = 7;

    public static ProduceBatchCheck Check(ReadOnlyMemory<byte>? records, short apiVersion, TopicLogConfig config)
    {
        if (records is not { Length: > 0 } blob)
            return ProduceBatchCheck.Refuse(ErrorCode.InvalidRecord, "a produce request must carry one record batch per partition");
        var walker = new RecordBatchWalker(blob);
        if (!walker.TryNext(out RecordBatchView batch)) return RefuseFraming(walker.Stop);
        if (walker.PositionBytes != blob.Length)
            return ProduceBatchCheck.Refuse(ErrorCode.InvalidRecord, "a produce request may carry exactly one record batch per partition");
        RecordBatchHeader header = batch.Header;
        if (header.Compression == CompressionType.Zstd && apiVersion < ZstdProduceVersionMin)
            return ProduceBatchCheck.Refuse(ErrorCode.UnsupportedCompressionType, $"zstd needs Produce v{ZstdProduceVersionMin} or later");
        if (header.BaseOffset != 0)
            return ProduceBatchCheck.Refuse(ErrorCode.InvalidRecord, $"a producer's batch must have base offset 0, not {header.BaseOffset}");
        RecordBatchError content = RecordBatchValidator.ValidateBatch(batch, RecordBatchRules.ForProduce(config.MaxMessageBytes));
        if (content != RecordBatchError.None) return RefuseContent(content, header, config);
        return CheckProducerFields(header) ?? new ProduceBatchCheck(ErrorCode.None, null, batch);
    }

    private static ProduceBatchCheck RefuseFraming(RecordBatchError stop) => stop switch
    {
        RecordBatchError.UnsupportedMagic => ProduceBatchCheck.Refuse(ErrorCode.InvalidRecord,
            "produce requests from v3 carry only record batches of magic 2"),
        _ => ProduceBatchCheck.Refuse(ErrorCode.CorruptMessage, $"the record batch is not framed: {stop}"),
    };

    private static ProduceBatchCheck RefuseContent(RecordBatchError error, RecordBatchHeader header, TopicLogConfig config) => error switch
    {
        RecordBatchError.BatchTooLarge => ProduceBatchCheck.Refuse(ErrorCode.MessageTooLarge,
            $"the batch is {header.SizeBytes} bytes, above max.message.bytes {config.MaxMessageBytes}"),
        RecordBatchError.CrcMismatch => ProduceBatchCheck.Refuse(ErrorCode.CorruptMessage, "the batch's CRC-32C does not match its bytes"),
        RecordBatchError.UnknownCompressionType => ProduceBatchCheck.Refuse(ErrorCode.UnsupportedCompressionType,
            $"compression type {(int)header.Compression} names no codec"),
        _ => ProduceBatchCheck.Refuse(ErrorCode.InvalidRecord, $"the batch is invalid: {error}"),
    };

    private static ProduceBatchCheck? CheckProducerFields(RecordBatchHeader header)
    {
        if (header.IsControl)
            return ProduceBatchCheck.Refuse(ErrorCode.InvalidRecord, "clients may not write control batches");
        if (header.ProducerId >= 0 && header.BaseSequence < 0)
            return ProduceBatchCheck.Refuse(ErrorCode.InvalidRecord, $"producer id {header.ProducerId} sent no base sequence");
        // Kafka decompresses on append to validate records; we never do, but a batch this node could not
        // decode would leave its own tools (dump-log, our consumers) unable to read the log back.
        if (CompressionCodecs.ForType(header.Compression) is { IsSupported: false })
            return ProduceBatchCheck.Refuse(ErrorCode.UnsupportedCompressionType,
                $"{header.Compression} is not available on this broker");
        return null;
    }
}
