namespace Reference.Client.Producer;

/// <summary>Which replicas must have a batch before the leader answers (Kafka's acks).</summary>
public enum Acks : short
{
    /// <summary>acks=0: the broker sends no answer; offsets are unknown and losses unseen.</summary>
    None = 0,
    /// <summary>acks=1: the leader has written it.</summary>
    Leader = 1,
    /// <summary>acks=all (-1): every in-sync replica has it.</summary>
    All = -1,
}

/// <summary>How the producer batches and retries.</summary>
public sealed record ProducerOptions
{
    public Acks Acks { get; init; } = Acks.All;

    /// <summary>How long the first record of a batch waits for others before it is sent (linger.ms).</summary>
    public int LingerMs { get; init; } = 5;

    /// <summary>A partition's batch is sent once it holds about this many bytes (batch.size).</summary>
    public int BatchSizeBytes { get; init; } = 16_384;

    /// <summary>
    /// How many times a batch is sent before its records fail: retriable errors (a leader moved, a
    /// connection dropped) are retried after a metadata refresh. Without idempotence a retry may write a
    /// batch twice, as in Kafka's producer with enable.idempotence=false.
    /// </summary>
    public int DeliveryAttemptsMax { get; init; } = 5;

    /// <summary>How long a send waits for the topic to appear in metadata, e.g. while it is auto-created (max.block.ms).</summary>
    public int MetadataWaitMs { get; init; } = 10_000;

    /// <summary>The Produce request's timeout: how long the leader may wait for replicas with acks=all.</summary>
    public int ProduceTimeoutMs { get; init; } = 30_000;
}
