using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// LeaveGroup v0-v5 (Kafka's <c>GroupCoordinator.handleLeaveGroup</c>): members leave so the group rebalances
/// now rather than after their session times out. From v3 a request names several members, and an admin
/// may remove a static member by its instance id alone (KIP-345).
/// </summary>
internal sealed class LeaveGroupHandler(GroupCatalog catalog, GroupRebalancer rebalancer)
{
    public void Handle(RequestContext context, LeaveGroupRequest request, long nowMs, Effects effects)
    {
        IReadOnlyList<LeaveGroupRequest.MemberIdentity> leaving = context.ApiVersion >= 3
            ? request.Members
            : [new LeaveGroupRequest.MemberIdentity { MemberId = request.MemberId }];
        var response = new LeaveGroupResponse();
        ErrorCode status = catalog.Status(request.GroupId, emptyGroupIdAllowed: false);
        ClassicGroup? group = status == ErrorCode.None ? catalog.Find(request.GroupId) : null;
        if (status != ErrorCode.None || group?.State == GroupState.Dead)
        {
            response.ErrorCode = (short)(status != ErrorCode.None ? status : ErrorCode.CoordinatorNotAvailable);
        }
        else
        {
            foreach (LeaveGroupRequest.MemberIdentity identity in leaving)
            {
                ErrorCode error = group is null ? ErrorCode.UnknownMemberId : Leave(group, identity, nowMs, effects);
                response.Members.Add(new LeaveGroupResponse.MemberResponse { MemberId = identity.MemberId, GroupInstanceId = identity.GroupInstanceId, ErrorCode = (short)error });
            }
            group?.CheckInvariants();
        }
        // Before v3 there is one member and its error is the response's (Kafka's LeaveGroupResponse.getError).
        if (context.ApiVersion < 3 && response.ErrorCode == 0 && response.Members.Count > 0) response.ErrorCode = response.Members[0].ErrorCode;
        effects.Respond(context, response);
    }

    private ErrorCode Leave(ClassicGroup group, LeaveGroupRequest.MemberIdentity identity, long nowMs, Effects effects)
    {
        if (identity.MemberId.Length == 0)
        {
            // An admin names a static member by instance id only.
            if (group.StaticMemberId(identity.GroupInstanceId) is not string staticMemberId) return ErrorCode.UnknownMemberId;
            rebalancer.RemoveMemberAndUpdateGroup(group, group.Get(staticMemberId), nowMs, effects);
            return ErrorCode.None;
        }
        if (group.IsPendingMember(identity.MemberId))
        {
            rebalancer.RemovePendingMemberAndUpdateGroup(group, identity.MemberId, nowMs, effects);
            return ErrorCode.None;
        }
        if (group.IsStaticMemberFenced(identity.GroupInstanceId, identity.MemberId)) return ErrorCode.FencedInstanceId;
        if (!group.TryGet(identity.MemberId, out GroupMember member)) return ErrorCode.UnknownMemberId;
        rebalancer.RemoveMemberAndUpdateGroup(group, member, nowMs, effects);
        return ErrorCode.None;
    }
}
