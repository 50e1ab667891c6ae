using System.Collections.Immutable;
using Reference.Protocol.Messages;

namespace Reference.Core.Metadata;

/// <summary>
/// The committed state of one partition (Kafka's <c>PartitionRegistration</c>): its replicas, its in-sync
/// replicas, its leader, and two epochs. The leader epoch changes only when the leader field is written;
/// the partition epoch changes on every change, so an AlterPartition built on stale state is refused.
/// </summary>
public sealed record PartitionRegistration(
    ImmutableArray<int> Replicas,
    ImmutableArray<int> Isr,
    ImmutableArray<int> RemovingReplicas,
    ImmutableArray<int> AddingReplicas,
    int Leader,
    LeaderRecoveryState LeaderRecoveryState,
    int LeaderEpoch,
    int PartitionEpoch,
    ImmutableArray<int> EligibleLeaderReplicas,
    ImmutableArray<int> LastKnownElr)
{
    /// <summary>The leader field of a partition without a leader (Kafka's <c>LeaderConstants.NO_LEADER</c>).</summary>
    public const int NoLeader = -1;

    /// <summary>The leader field of a PartitionChangeRecord that leaves the leader as it is.</summary>
    public const int NoLeaderChange = -2;

    public bool HasLeader => Leader != NoLeader;

    public static PartitionRegistration FromRecord(PartitionRecord record) => new(
        [.. record.Replicas],
        [.. record.Isr],
        [.. record.RemovingReplicas],
        [.. record.AddingReplicas],
        record.Leader,
        (LeaderRecoveryState)record.LeaderRecoveryState,
        record.LeaderEpoch,
        record.PartitionEpoch,
        record.EligibleLeaderReplicas is null ? [] : [.. record.EligibleLeaderReplicas],
        record.LastKnownElr is null ? [] : [.. record.LastKnownElr]);

    /// <summary>
    /// Applies a change (Kafka's <c>PartitionRegistration.merge</c>): absent fields keep their value, a written
    /// leader field bumps the leader epoch even when it names the same leader, and the partition epoch always moves.
    /// </summary>
    public PartitionRegistration Merge(PartitionChangeRecord change)
    {
        bool leaderChanges = change.Leader != NoLeaderChange;
        return this with
        {
            Replicas = change.Replicas is null ? Replicas : [.. change.Replicas],
            Isr = change.Isr is null ? Isr : [.. change.Isr],
            RemovingReplicas = change.RemovingReplicas is null ? RemovingReplicas : [.. change.RemovingReplicas],
            AddingReplicas = change.AddingReplicas is null ? AddingReplicas : [.. change.AddingReplicas],
            Leader = leaderChanges ? change.Leader : Leader,
            LeaderEpoch = leaderChanges ? LeaderEpoch + 1 : LeaderEpoch,
            LeaderRecoveryState = change.LeaderRecoveryState < 0 ? LeaderRecoveryState : (LeaderRecoveryState)change.LeaderRecoveryState,
            PartitionEpoch = PartitionEpoch + 1,
            EligibleLeaderReplicas = change.EligibleLeaderReplicas is null ? EligibleLeaderReplicas : [.. change.EligibleLeaderReplicas],
            LastKnownElr = change.LastKnownElr is null ? LastKnownElr : [.. change.LastKnownElr],
        };
    }
}

/// <summary>Kafka's <c>LeaderRecoveryState</c>: RECOVERING after an unclean election until the leader has recovered its log.</summary>
public enum LeaderRecoveryState : sbyte
{
    Recovered = 0,
    Recovering = 1,
}
