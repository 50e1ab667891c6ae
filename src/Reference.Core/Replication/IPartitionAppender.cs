using Reference.Core.Node;

namespace Reference.Core.Replication;

/// <summary>The outcome of an internal append: an error code (0 = none) and where the batch landed.</summary>
/// <param name="CompletedAtMs">The time of the step the callback runs in: what the appender schedules from
/// (the group coordinator restarts member sessions when it answers them after a write).</param>
public readonly record struct AppendOutcome(short ErrorCode, long BaseOffset, long LastOffset, long CompletedAtMs);

/// <summary>
/// Appends on behalf of the node itself, not a client: the group coordinator writes commits and group
/// state to <c>__consumer_offsets</c> this way. The callback runs, in a later step or the same one, once
/// the batch is committed (the high watermark passed it) or has failed, with that step's effects.
/// </summary>
public interface IPartitionAppender
{
    /// <param name="batch">One record batch whose offsets start at 0; the leader assigns the real ones.</param>
    void AppendAsLeader(TopicPartition partition, ReadOnlyMemory<byte> batch, long nowMs, Effects effects,
        Action<AppendOutcome, Effects> onCommitted);
}
