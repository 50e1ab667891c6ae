using Reference.Client.Records;

namespace Reference.Client.Producer;

/// <summary>Records bound for one partition, sent together as one RecordBatch, and the callers waiting for them.</summary>
internal sealed class PendingBatch(TopicPartition partition)
{
    /// <summary>Bytes a record costs beyond its key, value and headers (varints, attributes), roughly.</summary>
    private const int RecordOverheadBytes = 20;

    private byte[]? _encoded;

    public TopicPartition Partition { get; } = partition;

    public List<BatchRecord> Records { get; } = [];

    public List<TaskCompletionSource<RecordMetadata>> Deliveries { get; } = [];

    public int SizeBytes { get; private set; }

    /// <summary>Why the last attempt did not deliver it, for the message when attempts run out.</summary>
    public string? LastFailure { get; set; }

    public Task<RecordMetadata> Add(BatchRecord record)
    {
        var delivery = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        Records.Add(record);
        Deliveries.Add(delivery);
        SizeBytes += RecordOverheadBytes + (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0)
            + record.Headers.Sum(h => h.Key.Length + (h.Value?.Length ?? 0) + 2);
        return delivery.Task;
    }

    /// <summary>The batch bytes, encoded once so a retry resends exactly what was sent.</summary>
    public byte[] Encode(IRecordBatchCodec codec) => _encoded ??= codec.Encode(Records);

    public void Complete(long baseOffset)
    {
        for (int i = 0; i < Deliveries.Count; i++)
            Deliveries[i].TrySetResult(new RecordMetadata(Partition.Topic, Partition.Partition, baseOffset < 0 ? -1 : baseOffset + i));
    }

    public void Fail(Exception error)
    {
        foreach (var delivery in Deliveries) delivery.TrySetException(error);
    }
}

/// <summary>
/// The open batches, one per partition, in the order partitions were first written. Not thread-safe: the
/// producer holds its lock around every call.
/// </summary>
internal sealed class RecordAccumulator(int batchSizeBytes)
{
    private readonly List<PendingBatch> _open = [];

    public bool IsEmpty => _open.Count == 0;

    /// <summary>Adds a record; <paramref name="batchFull"/> says the partition's batch reached the batch size.</summary>
    public Task<RecordMetadata> Append(TopicPartition partition, BatchRecord record, out bool batchFull)
    {
        PendingBatch? batch = _open.Find(b => b.Partition == partition);
        if (batch is null)
        {
            batch = new PendingBatch(partition);
            _open.Add(batch);
        }
        Task<RecordMetadata> delivery = batch.Add(record);
        batchFull = batch.SizeBytes >= batchSizeBytes;
        return delivery;
    }

    /// <summary>Takes every open batch, leaving the accumulator empty.</summary>
    public List<PendingBatch> DrainAll()
    {
        var drained = _open.ToList();
        _open.Clear();
        return drained;
    }
}
