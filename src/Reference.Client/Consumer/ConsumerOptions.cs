namespace Reference.Client.Consumer;

/// <summary>Where to start a partition that has no position yet (auto.offset.reset).</summary>
public enum OffsetReset
{
    Earliest,
    Latest,
    /// <summary>Fail instead of guessing.</summary>
    None,
}

/// <summary>How a consumer fetches. Defaults are Kafka's consumer defaults.</summary>
public sealed record ConsumerOptions
{
    /// <summary>How long the broker may hold a Fetch waiting for data (fetch.max.wait.ms).</summary>
    public int FetchMaxWaitMs { get; init; } = 500;

    public int FetchMinBytes { get; init; } = 1;

    /// <summary>The most a Fetch answer may carry over all partitions (fetch.max.bytes).</summary>
    public int FetchMaxBytes { get; init; } = 52_428_800;

    /// <summary>The most a Fetch answer may carry for one partition (max.partition.fetch.bytes).</summary>
    public int PartitionFetchMaxBytes { get; init; } = 1_048_576;

    public OffsetReset AutoOffsetReset { get; init; } = OffsetReset.Latest;

    /// <summary>
    /// How many polls in a row may fail to reach a leader (connection refused or lost) before the poll
    /// throws; each failure refreshes metadata and waits the retry backoff first.
    /// </summary>
    public int FailedPollsMax { get; init; } = 30;
}
