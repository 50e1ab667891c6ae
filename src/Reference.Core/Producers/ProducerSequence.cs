namespace Reference.Core.Producers;

/// <summary>
/// Sequence arithmetic of the idempotent producer (KIP-98): sequences are per producer and partition,
/// count records, and wrap from int.MaxValue to 0 (Kafka's <c>DefaultRecordBatch.incrementSequence</c>).
/// </summary>
public static class ProducerSequence
{
    /// <summary>No sequence: what a batch without a producer id carries.</summary>
    public const int None = -1;

    public static int Increment(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;

    /// <summary>The batch's last sequence: its base sequence advanced by its last offset delta.</summary>
    public static int LastOf(int baseSequence, int lastOffsetDelta) => Increment(baseSequence, lastOffsetDelta);

    /// <summary>True when <paramref name="next"/> directly follows <paramref name="last"/>, across the wrap too.</summary>
    public static bool Follows(int last, int next) => next == last + 1L || (next == 0 && last == int.MaxValue);
}
