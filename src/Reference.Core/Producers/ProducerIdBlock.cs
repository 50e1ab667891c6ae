namespace Reference.Core.Producers;

/// <summary>
/// A range of producer ids the controller gave this broker (Kafka's <c>ProducerIdsBlock</c>); the
/// controller records each block in the metadata log (ProducerIdsRecord), so ids are never reused.
/// </summary>
public readonly record struct ProducerIdBlock(long FirstId, int Size)
{
    public long EndId => FirstId + Size;

    /// <summary>When this id is handed out, the next block is asked for (Kafka's 90% prefetch threshold).</summary>
    public long PrefetchAtId => FirstId + Size * 9L / 10;

    /// <summary>A block the controller may have sent: non-empty, in range, and after <paramref name="previousEndId"/>.</summary>
    public static bool IsPlausible(long firstId, int size, long previousEndId) =>
        firstId >= 0 && size > 0 && firstId <= long.MaxValue - size && firstId >= previousEndId;
}
