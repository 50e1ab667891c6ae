using Reference.Core.Node;
using Reference.Protocol;

namespace Reference.Core.Replication;

/// <summary>One partition's share of a waiting produce: the offset its acks must reach, in the epoch it was appended in.</summary>
internal sealed class AckWait(TopicPartition partition, AckLevel level, long requiredOffset, int leaderEpoch)
{
    public TopicPartition Partition { get; } = partition;

    public AckLevel Level { get; } = level;

    /// <summary>One past the batch's last offset (Kafka's requiredOffset).</summary>
    public long RequiredOffset { get; } = requiredOffset;

    public int LeaderEpoch { get; } = leaderEpoch;

    public AckStatus Status { get; set; } = AckStatus.Waiting;
}

/// <summary>
/// A produce whose acknowledgement waits for its partitions' acks (Kafka's <c>DelayedProduce</c>): it
/// completes when every partition is acknowledged or failed, or at its deadline, when the partitions
/// still waiting are answered REQUEST_TIMED_OUT (their data stays appended, as in Kafka).
/// </summary>
internal sealed class DelayedProduce(long deadlineMs, ConnectionId? connection, IReadOnlyList<AckWait> waits, Action<Effects> complete)
{
    public long DeadlineMs { get; } = deadlineMs;

    /// <summary>The client connection to answer on; null for the node's own appends (IPartitionAppender).</summary>
    public ConnectionId? Connection { get; } = connection;

    public IReadOnlyList<AckWait> Waits { get; } = waits;

    public bool Touches(TopicPartition partition) => Waits.Any(wait => wait.Partition == partition);

    /// <summary>Re-checks the waiting partitions; true when all are settled (the caller then calls <see cref="Complete"/>).</summary>
    public bool IsSatisfied(PartitionTable table)
    {
        bool settled = true;
        foreach (AckWait wait in Waits.Where(wait => !wait.Status.IsComplete))
        {
            wait.Status = table.Get(wait.Partition)?.CheckAck(wait.Level, wait.RequiredOffset, wait.LeaderEpoch)
                ?? AckStatus.Failed(ErrorCode.NotLeaderOrFollower);
            settled &= wait.Status.IsComplete;
        }
        return settled;
    }

    public void Complete(Effects effects) => complete(effects);

    /// <summary>The deadline passed: what still waits has timed out.</summary>
    public void Expire(Effects effects)
    {
        foreach (AckWait wait in Waits.Where(wait => !wait.Status.IsComplete)) wait.Status = AckStatus.Failed(ErrorCode.RequestTimedOut);
        complete(effects);
    }
}
