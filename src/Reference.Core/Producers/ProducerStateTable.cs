using Reference.Core.Log;
using Reference.Protocol;
using Reference.Protocol.Records;

namespace Reference.Core.Producers;

/// <summary>What the producer state says of a batch about to be appended.</summary>
public enum ProducerVerdict
{
    /// <summary>Append it: no idempotence, a new producer, or the next sequence.</summary>
    Append,

    /// <summary>A retry of a batch already appended: answer with that batch's offsets and append nothing.</summary>
    Duplicate,

    /// <summary>Refuse it with <see cref="ProducerCheck.Error"/>.</summary>
    Refuse,
}

public readonly record struct ProducerCheck(ProducerVerdict Verdict, BatchMetadata Original, ErrorCode Error, string? Message)
{
    public static readonly ProducerCheck Append = new(ProducerVerdict.Append, default, ErrorCode.None, null);

    public static ProducerCheck Refuse(ErrorCode error, string message) => new(ProducerVerdict.Refuse, default, error, message);
}

/// <summary>
/// The idempotent producers of one partition (Kafka's <c>ProducerStateManager</c>, without transactions):
/// per producer id its epoch and last five batches, checked on every append by the leader. Bounded by
/// <see cref="ProducersMax"/>; past it the producer idle longest is forgotten, as expiry would forget it.
/// </summary>
public sealed class ProducerStateTable
{
    /// <summary>Producer ids remembered per partition. A forgotten producer may start at any sequence again.</summary>
    public const int ProducersMax = 10_000;

    /// <summary><c>producer.id.expiration.ms</c>: a producer silent this long is forgotten (Kafka's default, one day).</summary>
    public const long ExpirationMs = 86_400_000;

    private readonly SortedDictionary<long, ProducerStateEntry> _producers = new();
    private readonly SortedSet<(long LastTimestampMs, long ProducerId)> _byAge = new();

    public int Count => _producers.Count;

    public ProducerStateEntry? Entry(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// The leader's check of a producer's batch (UnifiedLog.analyzeAndValidateProducerState, then
    /// ProducerAppendInfo's epoch and sequence checks). A batch without a producer id is never checked:
    /// kafkajs sends those with epoch 0 and sequence 0, librdkafka with -1.
    /// </summary>
    public ProducerCheck Check(in RecordBatchHeader header)
    {
        if (header.ProducerId < 0) return ProducerCheck.Append;
        // KIP-360: with no state for the producer (new, expired, or removed with the log's head) any
        // sequence is accepted; Kafka has not answered UNKNOWN_PRODUCER_ID from the log since 2.5.
        if (!_producers.TryGetValue(header.ProducerId, out ProducerStateEntry? entry)) return ProducerCheck.Append;
        if (header.ProducerEpoch < entry.ProducerEpoch)
            return ProducerCheck.Refuse(ErrorCode.InvalidProducerEpoch,
                $"producer {header.ProducerId} epoch {header.ProducerEpoch} is older than {entry.ProducerEpoch}");
        int lastSequence = ProducerSequence.LastOf(header.BaseSequence, header.LastOffsetDelta);
        if (entry.FindDuplicate(header.ProducerEpoch, header.BaseSequence, lastSequence) is BatchMetadata original)
            return new ProducerCheck(ProducerVerdict.Duplicate, original, ErrorCode.None, null);
        if (header.ProducerEpoch != entry.ProducerEpoch)
            return header.BaseSequence == 0
                ? ProducerCheck.Append
                : ProducerCheck.Refuse(ErrorCode.OutOfOrderSequenceNumber,
                    $"a new epoch {header.ProducerEpoch} of producer {header.ProducerId} must start at sequence 0, not {header.BaseSequence}");
        return ProducerSequence.Follows(entry.LastSequence, header.BaseSequence)
            ? ProducerCheck.Append
            : ProducerCheck.Refuse(ErrorCode.OutOfOrderSequenceNumber,
                $"producer {header.ProducerId} sent sequence {header.BaseSequence} after {entry.LastSequence}");
    }

    /// <summary>Remembers an appended batch (also one found in the log on start) under its producer.</summary>
    public void Record(in RecordBatchHeader header, long firstOffset, long lastOffset, long timestampMs)
    {
        if (header.ProducerId < 0) return;
        var batch = new BatchMetadata(header.BaseSequence, ProducerSequence.LastOf(header.BaseSequence, header.LastOffsetDelta),
            firstOffset, lastOffset, timestampMs);
        if (_producers.TryGetValue(header.ProducerId, out ProducerStateEntry? entry))
            _byAge.Remove((entry.LastTimestampMs, entry.ProducerId));
        else
            _producers[header.ProducerId] = entry = new ProducerStateEntry(header.ProducerId, header.ProducerEpoch);
        entry.Add(header.ProducerEpoch, batch);
        _byAge.Add((entry.LastTimestampMs, entry.ProducerId));
        while (_producers.Count > ProducersMax) Forget(_byAge.Min.ProducerId);
        Invariant.Require(_byAge.Count == _producers.Count);
    }

    /// <summary>Forgets producers silent for <see cref="ExpirationMs"/> (Kafka's removeExpiredProducers).</summary>
    public void RemoveExpired(long nowMs)
    {
        while (_byAge.Count > 0 && nowMs - _byAge.Min.LastTimestampMs >= ExpirationMs) Forget(_byAge.Min.ProducerId);
    }

    /// <summary>Forgets producers whose last batch is below the new log start (Kafka's truncateHead).</summary>
    public void TruncateHead(long logStartOffset)
    {
        var gone = new List<long>();
        foreach (ProducerStateEntry entry in _producers.Values)
            if (entry.LastOffset < logStartOffset) gone.Add(entry.ProducerId);
        foreach (long producerId in gone) Forget(producerId);
    }

    private void Forget(long producerId)
    {
        ProducerStateEntry entry = _producers[producerId];
        _byAge.Remove((entry.LastTimestampMs, producerId));
        _producers.Remove(producerId);
    }
}
