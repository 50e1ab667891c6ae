using Reference.Core.Node;
using Reference.Protocol;

namespace Reference.Core.Groups;

/// <summary>
/// The rebalance protocol of a classic group, in one place (Kafka's <c>GroupCoordinator</c>: prepareRebalance,
/// onCompleteJoin, the delayed joins and syncs, member removal): how a group moves from
/// PreparingRebalance through CompletingRebalance to Stable, and what wakes it. The request handlers and the
/// timer sweep call in here; parked JoinGroup and SyncGroup responses are answered only from here.
/// </summary>
internal sealed class GroupRebalancer(GroupCoordinatorConfig config, GroupLogWriter writer)
{
    /// <summary>Kafka's <c>maybePrepareRebalance</c>: only a settled group starts a rebalance; one already preparing carries on.</summary>
    public void MaybePrepareRebalance(ClassicGroup group, long nowMs, Effects effects)
    {
        if (group.CanRebalance) PrepareRebalance(group, nowMs, effects);
    }

    /// <summary>
    /// Kafka's <c>prepareRebalance</c>. A group that was Empty waits the initial delay (Kafka's
    /// <c>InitialDelayedJoin</c>) so a fleet of consumers starting together lands in one generation; any other
    /// waits for every member to rejoin, at most the rebalance timeout (Kafka's <c>DelayedJoin</c>).
    /// </summary>
    public void PrepareRebalance(ClassicGroup group, long nowMs, Effects effects)
    {
        if (group.State == GroupState.CompletingRebalance) ResetAndPropagateAssignmentError(group, ErrorCode.RebalanceInProgress, nowMs, effects);
        bool wasEmpty = group.State == GroupState.Empty;
        int rebalanceTimeoutMs = group.RebalanceTimeoutMs;
        group.TransitionTo(GroupState.PreparingRebalance, nowMs);
        if (wasEmpty)
        {
            int delayMs = config.GroupInitialRebalanceDelayMs;
            group.InitialDelay = new InitialJoinDelay(delayMs, Math.Max(rebalanceTimeoutMs - delayMs, 0));
            group.JoinDeadlineMs = nowMs + delayMs;
        }
        else
        {
            group.JoinDeadlineMs = nowMs + rebalanceTimeoutMs;
        }
        TryCompleteJoin(group, nowMs, effects);
    }

    /// <summary>Kafka's <c>tryCompleteJoin</c>: done early once every member has rejoined, but never during the initial delay.</summary>
    public void TryCompleteJoin(ClassicGroup group, long nowMs, Effects effects)
    {
        if (group.State == GroupState.PreparingRebalance && group.InitialDelay is null && group.HasAllMembersJoined) CompleteJoin(group, nowMs, effects);
    }

    /// <summary>
    /// The join deadline passed. During the initial delay, a member that arrived meanwhile buys another delay
    /// until the rebalance timeout is used up (Kafka's <c>InitialDelayedJoin.onComplete</c>, including its
    /// arithmetic); otherwise the rebalance completes with whoever rejoined.
    /// </summary>
    public void OnJoinDeadline(ClassicGroup group, long nowMs, Effects effects)
    {
        GroupInvariant.Check(group.State == GroupState.PreparingRebalance && group.JoinDeadlineMs <= nowMs, "a join deadline fires while preparing, once due");
        if (group.InitialDelay is InitialJoinDelay delay && group.NewMemberAdded && delay.RemainingMs != 0)
        {
            group.NewMemberAdded = false;
            int nextDelayMs = Math.Min(config.GroupInitialRebalanceDelayMs, delay.RemainingMs);
            group.InitialDelay = new InitialJoinDelay(nextDelayMs, Math.Max(delay.RemainingMs - delay.DelayMs, 0));
            group.JoinDeadlineMs = nowMs + nextDelayMs;
            return;
        }
        CompleteJoin(group, nowMs, effects);
    }

    /// <summary>
    /// Kafka's <c>onCompleteJoin</c>: dynamic members that did not rejoin are removed (static ones keep their
    /// place, KIP-345), the next generation starts, and every waiting member learns it; the leader also gets
    /// everyone's metadata. If only static members that did not rejoin remain, wait another rebalance timeout.
    /// </summary>
    public void CompleteJoin(ClassicGroup group, long nowMs, Effects effects)
    {
        GroupInvariant.Check(group.State == GroupState.PreparingRebalance, "a join completes while preparing a rebalance");
        foreach (GroupMember absent in group.Members.Where(member => !member.IsAwaitingJoin && !member.IsStatic).ToList())
        {
            group.Remove(absent.MemberId);
        }
        if (!group.MaybeElectNewJoinedLeader() && group.Size > 0)
        {
            group.InitialDelay = null;
            group.JoinDeadlineMs = nowMs + group.RebalanceTimeoutMs;
            return;
        }
        group.InitNextGeneration(nowMs);
        if (group.State == GroupState.Empty)
        {
            StoreEmptyGroup(group, nowMs, effects);
            return;
        }
        foreach (GroupMember member in group.Members)
        {
            member.IsNew = false;
            InvokeJoinWaiter(member, JoinedOutcome(group, member), nowMs, effects);
            ScheduleHeartbeat(member, nowMs);
        }
        group.SyncDeadlineMs = nowMs + group.RebalanceTimeoutMs;
    }

    /// <summary>
    /// Kafka's <c>onExpirePendingSync</c>: members that got this generation but never sent SyncGroup within the
    /// rebalance timeout are removed and the group rebalances without them.
    /// </summary>
    public void OnSyncDeadline(ClassicGroup group, long nowMs, Effects effects)
    {
        group.SyncDeadlineMs = null;
        if (group.State is not (GroupState.CompletingRebalance or GroupState.Stable) || group.HasReceivedSyncFromAllMembers) return;
        foreach (GroupMember silent in group.PendingSyncMembers())
        {
            InvokeJoinWaiter(silent, JoinOutcome.Failed("", ErrorCode.UnknownMemberId), nowMs, effects);
            group.Remove(silent.MemberId);
        }
        PrepareRebalance(group, nowMs, effects);
    }

    /// <summary>
    /// Kafka's <c>removeMemberAndUpdateGroup</c>: a member that left or expired is told UNKNOWN_MEMBER_ID if it is
    /// still waiting (Kafka answers only a parked JoinGroup; we answer a parked SyncGroup too rather than
    /// leave it unanswered), and the group rebalances without it.
    /// </summary>
    public void RemoveMemberAndUpdateGroup(ClassicGroup group, GroupMember member, long nowMs, Effects effects)
    {
        InvokeJoinWaiter(member, JoinOutcome.Failed("", ErrorCode.UnknownMemberId), nowMs, effects);
        InvokeSyncWaiter(member, SyncOutcome.Failed(ErrorCode.UnknownMemberId), nowMs, effects);
        group.Remove(member.MemberId);
        switch (group.State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                MaybePrepareRebalance(group, nowMs, effects);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group, nowMs, effects);
                break;
        }
    }

    /// <summary>A member told MEMBER_ID_REQUIRED left or never came back: the rebalance stops waiting for it.</summary>
    public void RemovePendingMemberAndUpdateGroup(ClassicGroup group, string memberId, long nowMs, Effects effects)
    {
        group.Remove(memberId);
        TryCompleteJoin(group, nowMs, effects);
    }

    /// <summary>The leader's assignment is stored: hand it out and move to Stable (Kafka's <c>setAndPropagateAssignment</c>).</summary>
    public void SetAndPropagateAssignment(ClassicGroup group, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> assignments, long nowMs, Effects effects)
    {
        GroupInvariant.Check(group.State == GroupState.CompletingRebalance, "an assignment is handed out while completing the rebalance");
        foreach (GroupMember member in group.Members)
        {
            member.Assignment = assignments.GetValueOrDefault(member.MemberId, ReadOnlyMemory<byte>.Empty);
            member.AssignedGeneration = group.GenerationId;
        }
        PropagateAssignment(group, ErrorCode.None, nowMs, effects);
        group.TransitionTo(GroupState.Stable, nowMs);
        if (group.HasReceivedSyncFromAllMembers) group.SyncDeadlineMs = null;
    }

    /// <summary>Kafka's <c>resetAndPropagateAssignmentError</c>: waiting SyncGroups fail and assignments are cleared.</summary>
    public void ResetAndPropagateAssignmentError(ClassicGroup group, ErrorCode error, long nowMs, Effects effects)
    {
        GroupInvariant.Check(group.State == GroupState.CompletingRebalance && error != ErrorCode.None, "assignments are reset with an error while completing the rebalance");
        foreach (GroupMember member in group.Members) member.Assignment = ReadOnlyMemory<byte>.Empty;
        PropagateAssignment(group, error, nowMs, effects);
    }

    /// <summary>Kafka's <c>onGroupUnloaded</c>: the partition moved, so every waiting member hears NOT_COORDINATOR.</summary>
    public void Unload(ClassicGroup group, long nowMs, Effects effects)
    {
        group.TransitionTo(GroupState.Dead, nowMs);
        foreach (GroupMember member in group.Members)
        {
            InvokeJoinWaiter(member, JoinOutcome.Failed(member.MemberId, ErrorCode.NotCoordinator), nowMs, effects);
            InvokeSyncWaiter(member, SyncOutcome.Failed(ErrorCode.NotCoordinator), nowMs, effects);
        }
    }

    /// <summary>
    /// Parks a member's JoinGroup until the rebalance completes. Kafka silently drops a JoinGroup superseded by
    /// another from the same member; we answer it REBALANCE_IN_PROGRESS (clients rejoin on it), since a request
    /// left unanswered would stall its connection, whose requests the shell hands over one at a time.
    /// </summary>
    public void ParkJoin(GroupMember member, RequestContext context, Effects effects)
    {
        if (member.IsAwaitingJoin && member.JoinWaiter is RequestContext superseded && superseded != context)
        {
            effects.Respond(superseded, JoinOutcome.Failed(member.MemberId, ErrorCode.RebalanceInProgress).ToResponse(superseded.ApiVersion));
        }
        member.IsAwaitingJoin = true;
        member.JoinWaiter = context;
    }

    /// <summary>Parks a member's SyncGroup until the leader's assignment is stored; a superseded one is answered as for JoinGroup.</summary>
    public void ParkSync(GroupMember member, RequestContext context, Effects effects)
    {
        if (member.IsAwaitingSync && member.SyncWaiter is RequestContext superseded && superseded != context)
        {
            effects.Respond(superseded, SyncOutcome.Failed(ErrorCode.RebalanceInProgress).ToResponse());
        }
        member.IsAwaitingSync = true;
        member.SyncWaiter = context;
    }

    /// <summary>Kafka's <c>maybeInvokeJoinCallback</c>: answers a parked JoinGroup; answering restarts the member's session.</summary>
    public bool InvokeJoinWaiter(GroupMember member, JoinOutcome outcome, long nowMs, Effects effects)
    {
        if (!member.IsAwaitingJoin) return false;
        if (member.JoinWaiter is RequestContext context) effects.Respond(context, outcome.ToResponse(context.ApiVersion));
        member.IsAwaitingJoin = false;
        member.JoinWaiter = null;
        ScheduleHeartbeat(member, nowMs);
        return true;
    }

    /// <summary>Kafka's <c>maybeInvokeSyncCallback</c>: answers a parked SyncGroup; answering restarts the member's session.</summary>
    public bool InvokeSyncWaiter(GroupMember member, SyncOutcome outcome, long nowMs, Effects effects)
    {
        if (!member.IsAwaitingSync) return false;
        if (member.SyncWaiter is RequestContext context) effects.Respond(context, outcome.ToResponse());
        member.IsAwaitingSync = false;
        member.SyncWaiter = null;
        ScheduleHeartbeat(member, nowMs);
        return true;
    }

    /// <summary>Kafka's <c>completeAndScheduleNextHeartbeatExpiration</c>; a member on its first join gets the longer new-member timeout.</summary>
    public void ScheduleHeartbeat(GroupMember member, long nowMs) =>
        member.HeartbeatDeadlineMs = nowMs + (member.IsNew ? config.NewMemberJoinTimeoutMs : member.SessionTimeoutMs);

    /// <summary>What a member learns when the rebalance completes; only the leader gets everyone's metadata.</summary>
    public static JoinOutcome JoinedOutcome(ClassicGroup group, GroupMember member) => new(
        member.MemberId,
        ErrorCode.None,
        group.GenerationId,
        group.ProtocolType,
        group.ProtocolName,
        group.LeaderId ?? "",
        Members: group.IsLeader(member.MemberId) ? group.CurrentMemberMetadata() : []);

    private void PropagateAssignment(ClassicGroup group, ErrorCode error, long nowMs, Effects effects)
    {
        string? protocolType = error == ErrorCode.None ? group.ProtocolType : null;
        string? protocolName = error == ErrorCode.None ? group.ProtocolName : null;
        foreach (GroupMember member in group.Members)
        {
            InvokeSyncWaiter(member, new SyncOutcome(error, protocolType, protocolName, member.Assignment), nowMs, effects);
        }
    }

    /// <summary>
    /// An emptied group's new generation is written so the generation survives a move; as in Kafka, a failed
    /// write is tolerable (no member holds that generation), so nobody waits on it.
    /// </summary>
    private void StoreEmptyGroup(ClassicGroup group, long nowMs, Effects effects)
    {
        var batch = GroupLogWriter.NewBatch();
        GroupRecords.AppendGroupMetadata(batch, group.GroupId, GroupRecords.ValueOf(group, _ => ReadOnlyMemory<byte>.Empty), nowMs);
        writer.Append(group.Partition, batch, nowMs, effects, (_, _) => { });
    }
}
