using Reference.Core.Log;

namespace Reference.Core.Producers;

/// <summary>
/// One idempotent producer's state in one partition (Kafka's <c>ProducerStateEntry</c>): its epoch and
/// its last five batches. Five because an idempotent producer keeps at most five requests in flight per
/// connection (max.in.flight.requests.per.connection ≤ 5), so a retry is always of one of the last five.
/// </summary>
public sealed class ProducerStateEntry
{
    /// <summary>Kafka's <c>NUM_BATCHES_TO_RETAIN</c>.</summary>
    public const int BatchesRetainedMax = 5;

    private readonly List<BatchMetadata> _batches = new(BatchesRetainedMax + 1);

    public ProducerStateEntry(long producerId, short producerEpoch)
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
    }

    public long ProducerId { get; }

    public short ProducerEpoch { get; private set; }

    public IReadOnlyList<BatchMetadata> Batches => _batches;

    public int LastSequence => _batches.Count == 0 ? ProducerSequence.None : _batches[^1].LastSequence;

    public long LastOffset => _batches.Count == 0 ? -1 : _batches[^1].LastOffset;

    /// <summary>The newest batch's timestamp; producer-id expiration counts from it, as Kafka does.</summary>
    public long LastTimestampMs => _batches.Count == 0 ? -1 : _batches[^1].TimestampMs;

    /// <summary>The retained batch with exactly this epoch and sequence range, if the batch is a retry of it.</summary>
    public BatchMetadata? FindDuplicate(short producerEpoch, int firstSequence, int lastSequence)
    {
        if (producerEpoch != ProducerEpoch) return null;
        foreach (BatchMetadata batch in _batches)
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence) return batch;
        return null;
    }

    /// <summary>
    /// Remembers an appended batch; another epoch starts the producer's history afresh. The leader has
    /// refused older epochs before it gets here; a log being recovered is taken as written.
    /// </summary>
    public void Add(short producerEpoch, BatchMetadata batch)
    {
        if (producerEpoch != ProducerEpoch)
        {
            ProducerEpoch = producerEpoch;
            _batches.Clear();
        }
        Invariant.Require(_batches.Count == 0 || batch.FirstOffset > _batches[^1].LastOffset);
        _batches.Add(batch);
        if (_batches.Count > BatchesRetainedMax) _batches.RemoveAt(0);
    }
}
