using Reference.Core.Node;
using Reference.Protocol.Records;

namespace Reference.Core.Log;

/// <summary>
/// A topic's effective log settings (Kafka's <c>LogConfig</c>): the topic's own overrides over the broker
/// defaults, resolved by whoever reads the metadata image. The data plane never reads NodeConfig for them,
/// so a per-topic <c>kafka-configs --alter</c> takes effect on the next <c>ApplyPartitions</c>.
/// </summary>
public sealed record TopicLogConfig
{
    /// <summary><c>retention.ms</c>: a closed segment whose newest timestamp is older than this is deleted; -1 keeps forever.</summary>
    public long RetentionMs { get; init; }

    /// <summary><c>retention.bytes</c>: oldest closed segments are deleted while the log is larger than this; -1 means no limit.</summary>
    public long RetentionBytes { get; init; }

    /// <summary>
    /// <c>segment.bytes</c>: carried for the shell's storage, which rolls segments; the core itself never
    /// rolls and only reads segments back through <see cref="ILogStorage.Segments"/>.
    /// </summary>
    public long SegmentBytes { get; init; }

    /// <summary><c>min.insync.replicas</c>: acks=all is refused below it, and (KIP-966) the HW stops below it.</summary>
    public int MinInsyncReplicas { get; init; }

    /// <summary><c>max.message.bytes</c>: the largest batch a producer may append (MESSAGE_TOO_LARGE above it).</summary>
    public int MaxMessageBytes { get; init; }

    /// <summary><c>message.timestamp.type</c>: LogAppendTime makes the leader stamp its own clock on every batch.</summary>
    public TimestampType MessageTimestampType { get; init; }

    /// <summary>The broker-wide defaults, for a topic that overrides nothing.</summary>
    public static TopicLogConfig Defaults(NodeConfig config) => new()
    {
        RetentionMs = config.LogRetentionMs,
        RetentionBytes = config.LogRetentionBytes,
        SegmentBytes = config.LogSegmentBytes,
        MinInsyncReplicas = config.MinInsyncReplicas,
        MaxMessageBytes = config.MessageMaxBytes,
        MessageTimestampType = TimestampType.CreateTime,
    };
}
