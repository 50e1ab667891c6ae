using Reference.Core.Node;

namespace Reference.Core.Groups;

/// <summary>
/// Everything in the coordinator that happens because time passed (Kafka's heartbeat, join and sync
/// purgatories): members told MEMBER_ID_REQUIRED that never came back, sessions that ran out, rebalances whose
/// delay or timeout is up, SyncGroups never sent. Groups are swept in id order and each member in join
/// order, so a sweep does the same thing every run.
/// </summary>
internal sealed class GroupTimers(GroupCatalog catalog, GroupRebalancer rebalancer)
{
    public void Tick(long nowMs, Effects effects)
    {
        foreach (ClassicGroup group in catalog.All.ToList())
        {
            ExpirePendingMembers(group, nowMs, effects);
            ExpireMembers(group, nowMs, effects);
            if (group.State == GroupState.PreparingRebalance && group.JoinDeadlineMs <= nowMs) rebalancer.OnJoinDeadline(group, nowMs, effects);
            if (group.SyncDeadlineMs <= nowMs) rebalancer.OnSyncDeadline(group, nowMs, effects);
            group.CheckInvariants();
        }
    }

    /// <summary>The earliest time anything above is due; null when nothing is scheduled.</summary>
    public long? NextDeadlineMs()
    {
        long? earliest = null;
        foreach (ClassicGroup group in catalog.All)
        {
            earliest = Earliest(earliest, group.JoinDeadlineMs);
            earliest = Earliest(earliest, group.SyncDeadlineMs);
            foreach (KeyValuePair<string, long> pending in group.PendingMembers) earliest = Earliest(earliest, pending.Value);
            foreach (GroupMember member in group.Members)
            {
                // A member waiting on a rebalance cannot expire; its session restarts when it is answered.
                if (!member.IsExemptFromExpiry) earliest = Earliest(earliest, member.HeartbeatDeadlineMs);
            }
        }
        return earliest;
    }

    private void ExpirePendingMembers(ClassicGroup group, long nowMs, Effects effects)
    {
        foreach ((string memberId, long deadlineMs) in group.PendingMembers.ToList())
        {
            if (deadlineMs <= nowMs) rebalancer.RemovePendingMemberAndUpdateGroup(group, memberId, nowMs, effects);
        }
    }

    /// <summary>Kafka's <c>onExpireHeartbeat</c>: a member silent for its session timeout is removed and the group rebalances.</summary>
    private void ExpireMembers(ClassicGroup group, long nowMs, Effects effects)
    {
        foreach (GroupMember member in group.Members.ToList())
        {
            // An earlier removal in this sweep may already have completed a rebalance that removed this member.
            if (!group.TryGet(member.MemberId, out GroupMember current) || current != member) continue;
            if (!member.IsExemptFromExpiry && member.HeartbeatDeadlineMs <= nowMs) rebalancer.RemoveMemberAndUpdateGroup(group, member, nowMs, effects);
        }
    }

    private static long? Earliest(long? earliest, long? candidate) =>
        candidate is long value && (earliest is null || value < earliest) ? value : earliest;
}
