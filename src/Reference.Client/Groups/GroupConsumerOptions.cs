using Reference.Client.Consumer;

namespace Reference.Client.Groups;

/// <summary>How a group member joins, stays alive and commits. Defaults follow Kafka's consumer.</summary>
public sealed record GroupConsumerOptions
{
    public ConsumerOptions Fetch { get; init; } = new();

    /// <summary>The coordinator drops a member it has not heard from for this long (session.timeout.ms).</summary>
    public int SessionTimeoutMs { get; init; } = 45_000;

    /// <summary>
    /// How long the coordinator waits for every member to rejoin during a rebalance; a JoinGroup can take
    /// this long to be answered (kafkajs uses 60000; Java's max.poll.interval.ms default is 300000).
    /// </summary>
    public int RebalanceTimeoutMs { get; init; } = 60_000;

    /// <summary>How often a member heartbeats; it must be well under the session timeout.</summary>
    public int HeartbeatIntervalMs { get; init; } = 3_000;

    /// <summary>How often positions are committed while polling; null commits only when asked (enable.auto.commit=false).</summary>
    public int? AutoCommitIntervalMs { get; init; } = 5_000;

    /// <summary>
    /// How many JoinGroup/SyncGroup rounds one join may take before giving up: the MEMBER_ID_REQUIRED
    /// round (KIP-394), rebalances that start while we join, and a coordinator that moves.
    /// </summary>
    public int JoinRoundsMax { get; init; } = 20;
}
