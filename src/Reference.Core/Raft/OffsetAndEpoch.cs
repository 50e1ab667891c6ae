namespace Reference.Core.Raft;

/// <summary>
/// A position in the metadata log named by the epoch that wrote it: the end offset of a replica's log with
/// the epoch of its last batch, or the end of an epoch in the leader's epoch cache (Kafka's
/// <c>OffsetAndEpoch</c>). Ordered by epoch first, then offset: that order is Raft's "at least as up to
/// date" (Raft §5.4.1: "If the logs have last entries with different terms, then the log with the later
/// term is more up-to-date. If the logs end with the same term, then whichever log is longer is more
/// up-to-date").
/// </summary>
public readonly record struct OffsetAndEpoch(long Offset, int Epoch) : IComparable<OffsetAndEpoch>
{
    /// <summary>An empty log as Kafka describes it on the wire: offset 0, epoch 0 (its <c>lastFetchedEpoch</c> of an empty log).</summary>
    public static readonly OffsetAndEpoch Empty = new(0, 0);

    /// <summary>
    /// Kafka's UNDEFINED_EPOCH (RecordBatch.NO_PARTITION_LEADER_EPOCH): "no epoch" in a message field that may
    /// have none. Never the last epoch of a log: an empty log's is 0 (<see cref="Empty"/>).
    /// </summary>
    public const int NoEpoch = -1;

    public int CompareTo(OffsetAndEpoch other)
    {
        int byEpoch = Epoch.CompareTo(other.Epoch);
        return byEpoch != 0 ? byEpoch : Offset.CompareTo(other.Offset);
    }

    public static bool operator <(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) < 0;

    public static bool operator >(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) > 0;

    public static bool operator <=(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) <= 0;

    public static bool operator >=(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Offset}@e{Epoch}";
}
