using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// Heartbeat v0-v4 (Kafka's <c>GroupCoordinator.handleHeartbeat</c>): a member of the current generation
/// restarts its session; during a rebalance the answer REBALANCE_IN_PROGRESS tells it to rejoin.
/// </summary>
internal sealed class HeartbeatHandler(GroupCatalog catalog, GroupRebalancer rebalancer)
{
    public void Handle(RequestContext context, HeartbeatRequest request, long nowMs, Effects effects)
    {
        ErrorCode error = Heartbeat(request, nowMs);
        effects.Respond(context, new HeartbeatResponse { ErrorCode = (short)error });
    }

    private ErrorCode Heartbeat(HeartbeatRequest request, long nowMs)
    {
        ErrorCode status = catalog.Status(request.GroupId, emptyGroupIdAllowed: false);
        if (status != ErrorCode.None) return status;
        ClassicGroup? group = catalog.Find(request.GroupId);
        if (group is null) return ErrorCode.UnknownMemberId;
        if (group.State == GroupState.Dead) return ErrorCode.CoordinatorNotAvailable;
        if (group.IsStaticMemberFenced(request.GroupInstanceId, request.MemberId)) return ErrorCode.FencedInstanceId;
        if (!group.TryGet(request.MemberId, out GroupMember member)) return ErrorCode.UnknownMemberId;
        if (request.GenerationId != group.GenerationId) return ErrorCode.IllegalGeneration;
        switch (group.State)
        {
            case GroupState.CompletingRebalance or GroupState.Stable:
                // A member may heartbeat as soon as it has its JoinGroup answer, before it syncs.
                rebalancer.ScheduleHeartbeat(member, nowMs);
                return ErrorCode.None;
            case GroupState.PreparingRebalance:
                rebalancer.ScheduleHeartbeat(member, nowMs);
                return ErrorCode.RebalanceInProgress;
            default:
                // Kafka's answer for an Empty group; a group with this member is never Empty.
                return ErrorCode.UnknownMemberId;
        }
    }
}
