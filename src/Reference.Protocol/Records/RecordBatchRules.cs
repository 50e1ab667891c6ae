namespace Reference.Protocol.Records;

/// <summary>
/// What a batch must satisfy beyond being well formed. Produced batches are held to more than stored
/// ones: compaction can remove records from a batch but keeps its offset range, and can leave it empty.
/// </summary>
/// <param name="BatchSizeBytesMax">The largest batch accepted, log overhead included (max.message.bytes).</param>
/// <param name="RequireDenseOffsets">Records must exist and own offsets 0..RecordCount-1 exactly, as Kafka's
/// LogValidator demands of a producer's batch; off for fetched, replicated or stored data.</param>
public readonly record struct RecordBatchRules(int BatchSizeBytesMax, bool RequireDenseOffsets)
{
    /// <summary>Kafka's default max.message.bytes (1 MiB plus the log overhead).</summary>
    public const int KafkaDefaultBatchSizeBytesMax = 1024 * 1024 + RecordBatchLayout.LogOverheadBytes;

    /// <summary>The rules for a batch a producer sends.</summary>
    public static RecordBatchRules ForProduce(int batchSizeBytesMax = KafkaDefaultBatchSizeBytesMax) =>
        new(batchSizeBytesMax, RequireDenseOffsets: true);

    /// <summary>The rules for batches read from a log, a fetch response or a replica.</summary>
    public static RecordBatchRules ForStored(int batchSizeBytesMax) => new(batchSizeBytesMax, RequireDenseOffsets: false);
}
