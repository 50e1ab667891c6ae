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
    /// <summary>
    /// Join deadlines one tick may meet in a row: a deadline may fall due again at once (an initial delay of 0
    /// extended once, or a rebalance with no member left to wait for), and is settled in the same tick rather
    /// than by waking the node again at the same time. Each case takes at most two rounds.
    /// </summary>
    private const int JoinDeadlineRoundsMax = 4;

    public void Tick(long nowMs, Effects effects)
    {
        if (catalog.Count == 0) return; // every tick of every broker asks; the copy below allocates
        foreach (ClassicGroup group in catalog.All.ToList())
        {
            ExpirePendingMembers(group, nowMs, effects);
            ExpireMembers(group, nowMs, effects);
            // A sync deadline may start a rebalance whose join deadline is already due, so it goes first.
            if (group.SyncDeadlineMs <= nowMs) rebalancer.OnSyncDeadline(group, nowMs, effects);
            for (int round = 0; group.State == GroupState.PreparingRebalance && group.JoinDeadlineMs <= nowMs; round++)
            {
                GroupInvariant.Check(round < JoinDeadlineRoundsMax, $"{group.GroupId}: join deadlines due at {nowMs} settle within {JoinDeadlineRoundsMax} rounds");
                rebalancer.OnJoinDeadline(group, nowMs, effects);
            }
            group.CheckInvariants();
            GroupInvariant.Check(NextDeadlineOf(group, null) is not long next || next > nowMs, $"{group.GroupId}: a tick leaves nothing due");
        }
    }

    /// <summary>The earliest time anything above is due; null when nothing is scheduled.</summary>
    public long? NextDeadlineMs()
    {
        long? earliest = null;
        if (catalog.Count == 0) return earliest; // the node asks after every input; the enumerator allocates
        foreach (ClassicGroup group in catalog.All) earliest = NextDeadlineOf(group, earliest);
        return earliest;
    }

    private static long? NextDeadlineOf(ClassicGroup group, long? earliest)
    {
        earliest = Earliest(earliest, group.JoinDeadlineMs);
        earliest = Earliest(earliest, group.SyncDeadlineMs);
        foreach (KeyValuePair<string, long> pending in group.PendingMembers) earliest = Earliest(earliest, pending.Value);
        foreach (GroupMember member in group.Members)
        {
            // A member waiting on a rebalance cannot expire; its session restarts when it is answered.
            if (!member.IsExemptFromExpiry) earliest = Earliest(earliest, member.HeartbeatDeadlineMs);
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
