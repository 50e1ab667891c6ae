using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Protocol;

namespace Reference.Core.Groups;

/// <summary>
/// KIP-345: a static member (one with a <c>group.instance.id</c>) that restarts rejoins without its member
/// id. It takes a new id in the old one's place (fencing the old id), and when nothing about the group's
/// protocol changes, a Stable group does not rebalance: the new id is persisted and the member resumes its
/// assignment. Kafka's <c>GroupCoordinator.updateStaticMemberAndRebalance</c>.
/// </summary>
internal sealed class StaticMemberRejoin(GroupRebalancer rebalancer, GroupLogWriter writer)
{
    public void Rejoin(ClassicGroup group, JoinRequest join, string oldMemberId, string newMemberId, long nowMs, Effects effects)
    {
        string instanceId = join.GroupInstanceId ?? throw new ArgumentException("only a static member rejoins by instance id", nameof(join));
        string currentLeader = group.LeaderId ?? "";
        GroupMember old = group.Get(oldMemberId);
        // Whatever the old id is still waiting on belongs to a duplicate instance: fence it now.
        rebalancer.InvokeJoinWaiter(old, JoinOutcome.Failed(oldMemberId, ErrorCode.FencedInstanceId), nowMs, effects);
        rebalancer.InvokeSyncWaiter(old, SyncOutcome.Failed(ErrorCode.FencedInstanceId), nowMs, effects);
        var previous = new PreviousMembership(oldMemberId, old.Protocols, old.RebalanceTimeoutMs, old.SessionTimeoutMs);
        GroupMember member = group.ReplaceStaticMember(instanceId, oldMemberId, newMemberId);
        rebalancer.ScheduleHeartbeat(member, nowMs);
        group.UpdateMember(member, join.Protocols, join.RebalanceTimeoutMs, join.SessionTimeoutMs);
        rebalancer.ParkJoin(member, join.Context, effects);
        switch (group.State)
        {
            case GroupState.Stable when group.SelectProtocol() == group.ProtocolName:
                Persist(group, member, join, previous, currentLeader, nowMs, effects);
                break;
            case GroupState.Stable:
                rebalancer.MaybePrepareRebalance(group, nowMs, effects);
                break;
            case GroupState.CompletingRebalance:
                // The leader may already be assigning to the old id, which the new one would never receive.
                rebalancer.PrepareRebalance(group, nowMs, effects);
                break;
            case GroupState.PreparingRebalance:
                break;
            default:
                throw new InvalidOperationException($"group coordinator invariant broken: a group with a static member is not {group.State}");
        }
    }

    /// <summary>
    /// Writes the group with the new member id and answers once it is committed. The answer names the old
    /// leader id (unless the client speaks KIP-814), so a rejoining leader does not compute an assignment that
    /// a Stable group would never hand out. If the write fails, the old id is restored, as Kafka does.
    /// </summary>
    private void Persist(ClassicGroup group, GroupMember member, JoinRequest join, PreviousMembership previous, string currentLeader, long nowMs, Effects effects)
    {
        int generationId = group.GenerationId;
        string newMemberId = member.MemberId;
        var batch = GroupLogWriter.NewBatch();
        GroupRecords.AppendGroupMetadata(batch, group.GroupId, GroupRecords.ValueOf(group, each => each.Assignment), nowMs);
        writer.Append(group.Partition, batch, nowMs, effects, (outcome, laterEffects) =>
        {
            // Only answer here if nothing moved on while the write was in flight; otherwise the member is
            // part of the rebalance that followed and will be answered by it.
            bool unchanged = group.State == GroupState.Stable && group.GenerationId == generationId && member.MemberId == newMemberId && member.IsAwaitingJoin;
            if (!unchanged) return;
            ErrorCode error = GroupLogWriter.ForGroupStore(outcome.ErrorCode);
            if (error == ErrorCode.None) Resume(group, member, join, currentLeader, outcome, laterEffects);
            else Revert(group, member, join, previous, currentLeader, error, outcome, laterEffects);
            group.CheckInvariants();
        });
    }

    private void Resume(ClassicGroup group, GroupMember member, JoinRequest join, string currentLeader, AppendOutcome outcome, Effects effects)
    {
        bool skipAssignment = join.SupportsSkippingAssignment && group.IsLeader(member.MemberId);
        var resumed = new JoinOutcome(
            member.MemberId,
            ErrorCode.None,
            group.GenerationId,
            group.ProtocolType,
            group.ProtocolName,
            join.SupportsSkippingAssignment ? group.LeaderId ?? "" : currentLeader,
            skipAssignment,
            skipAssignment ? group.CurrentMemberMetadata() : []);
        rebalancer.InvokeJoinWaiter(member, resumed, outcome.CompletedAtMs, effects);
    }

    private void Revert(ClassicGroup group, GroupMember member, JoinRequest join, PreviousMembership previous, string currentLeader, ErrorCode error, AppendOutcome outcome, Effects effects)
    {
        group.UpdateMember(member, previous.Protocols, previous.RebalanceTimeoutMs, previous.SessionTimeoutMs);
        group.ReplaceStaticMember(join.GroupInstanceId!, member.MemberId, previous.MemberId);
        var failed = new JoinOutcome("", error, group.GenerationId, group.ProtocolType, group.ProtocolName, currentLeader);
        rebalancer.InvokeJoinWaiter(member, failed, outcome.CompletedAtMs, effects);
    }

    /// <summary>What the static member was before the rejoin, to restore if the new id cannot be persisted.</summary>
    private sealed record PreviousMembership(string MemberId, IReadOnlyList<MemberProtocol> Protocols, int RebalanceTimeoutMs, int SessionTimeoutMs);
}
