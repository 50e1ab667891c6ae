using Reference.Core.Node;

namespace Reference.Core.Groups;

/// <summary>
/// What the group coordinator acts on: Kafka's group and offset settings, plus the bounds this project puts
/// on everything that grows. Each comment says what the setting guards against.
/// </summary>
public sealed record GroupCoordinatorConfig
{
    /// <summary><c>offsets.topic.num.partitions</c>: a group lives in partition <c>abs(hash(groupId)) % this</c>; fixed once the topic exists, or every group moves.</summary>
    public int OffsetsTopicNumPartitions { get; init; } = 50;

    /// <summary>
    /// <c>group.initial.rebalance.delay.ms</c>: the first rebalance of an empty group waits this long, and again
    /// while members keep arriving (up to the rebalance timeout), so a starting fleet rebalances once, not N times.
    /// </summary>
    public int GroupInitialRebalanceDelayMs { get; init; } = 3000;

    /// <summary><c>group.min.session.timeout.ms</c>: shorter sessions (INVALID_SESSION_TIMEOUT) would let a GC pause evict a live member.</summary>
    public int GroupMinSessionTimeoutMs { get; init; } = 6000;

    /// <summary><c>group.max.session.timeout.ms</c>: longer sessions (INVALID_SESSION_TIMEOUT) would leave a dead member's partitions unread that long.</summary>
    public int GroupMaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary>
    /// <c>group.max.size</c>: members (and, our addition, members waiting for their id) one group may hold;
    /// beyond it JoinGroup gets GROUP_MAX_SIZE_REACHED. Kafka's default is unbounded; ours is a stated bound.
    /// </summary>
    public int GroupMaxSize { get; init; } = 1000;

    /// <summary>
    /// Our bound, not Kafka's: the groups one coordinator holds. A JoinGroup or simple commit that would create
    /// one more is answered COORDINATOR_NOT_AVAILABLE, which clients retry, instead of growing without limit.
    /// </summary>
    public int GroupsMax { get; init; } = 100_000;

    /// <summary><c>offset.metadata.max.bytes</c>: a commit whose metadata string is longer gets OFFSET_METADATA_TOO_LARGE.</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4096;

    /// <summary><c>offsets.retention.minutes</c>: offsets of a group empty this long expire (KIP-211), so abandoned groups do not pile up.</summary>
    public long OffsetsRetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>offsets.retention.check.interval.ms</c>: how often expired offsets and dead groups are swept.</summary>
    public long OffsetsRetentionCheckIntervalMs { get; init; } = 600_000;

    /// <summary>
    /// Kafka's <c>GroupCoordinator.NewMemberJoinTimeoutMs</c>: a member on its first JoinGroup cannot heartbeat,
    /// so if its client gives up mid-rebalance it would linger; it is dropped after this long instead.
    /// </summary>
    public int NewMemberJoinTimeoutMs { get; init; } = 300_000;

    /// <summary>Our bound: bytes asked of storage per read while loading a partition; one batch larger than this is still returned whole.</summary>
    public int LoadReadBytesMax { get; init; } = 1 << 20;

    /// <summary>The coordinator's settings from the node's, with our bounds at their defaults.</summary>
    public static GroupCoordinatorConfig From(NodeConfig node) => new()
    {
        OffsetsTopicNumPartitions = node.OffsetsTopicNumPartitions,
        GroupInitialRebalanceDelayMs = node.GroupInitialRebalanceDelayMs,
        GroupMinSessionTimeoutMs = node.GroupMinSessionTimeoutMs,
        GroupMaxSessionTimeoutMs = node.GroupMaxSessionTimeoutMs,
        OffsetsRetentionMs = node.OffsetsRetentionMs,
    };
}
