using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// SyncGroup v0-v5 (Kafka's <c>GroupCoordinator.handleSyncGroup</c>): after a rebalance every member asks for
/// its assignment; the leader brings everyone's. The leader's assignment is written to the group's
/// partition first, and only once committed do the waiting members get it and the group become Stable.
/// </summary>
internal sealed class SyncGroupHandler(GroupCatalog catalog, GroupRebalancer rebalancer, GroupLogWriter writer)
{
    public void Handle(RequestContext context, SyncGroupRequest request, long nowMs, Effects effects)
    {
        ErrorCode error = catalog.Status(request.GroupId, emptyGroupIdAllowed: false);
        // KIP-559: from v5 the protocol type and name are mandatory (KafkaApis.handleSyncGroupRequest).
        if (error == ErrorCode.None && context.ApiVersion >= 5 && (request.ProtocolType is null || request.ProtocolName is null))
        {
            error = ErrorCode.InconsistentGroupProtocol;
        }
        ClassicGroup? group = error == ErrorCode.None ? catalog.Find(request.GroupId) : null;
        if (error == ErrorCode.None) error = group is null ? ErrorCode.UnknownMemberId : MemberError(group, request);
        if (error != ErrorCode.None)
        {
            effects.Respond(context, SyncOutcome.Failed(error).ToResponse());
            return;
        }
        Sync(group!, context, request, nowMs, effects);
        group!.CheckInvariants();
    }

    private void Sync(ClassicGroup group, RequestContext context, SyncGroupRequest request, long nowMs, Effects effects)
    {
        GroupMember member = group.Get(request.MemberId);
        switch (group.State)
        {
            case GroupState.Empty:
                effects.Respond(context, SyncOutcome.Failed(ErrorCode.UnknownMemberId).ToResponse());
                break;
            case GroupState.PreparingRebalance:
                effects.Respond(context, SyncOutcome.Failed(ErrorCode.RebalanceInProgress).ToResponse());
                break;
            case GroupState.CompletingRebalance:
                rebalancer.ParkSync(member, context, effects);
                MarkSynced(group, member.MemberId);
                if (group.IsLeader(member.MemberId)) StoreAssignment(group, request, nowMs, effects);
                break;
            case GroupState.Stable:
                MarkSynced(group, member.MemberId);
                effects.Respond(context, new SyncOutcome(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment).ToResponse());
                rebalancer.ScheduleHeartbeat(member, nowMs);
                break;
            default:
                throw new InvalidOperationException($"group coordinator invariant broken: a member is synced in {group.State}");
        }
    }

    private static ErrorCode MemberError(ClassicGroup group, SyncGroupRequest request)
    {
        if (group.State == GroupState.Dead) return ErrorCode.CoordinatorNotAvailable;
        if (group.IsStaticMemberFenced(request.GroupInstanceId, request.MemberId)) return ErrorCode.FencedInstanceId;
        if (!group.Has(request.MemberId)) return ErrorCode.UnknownMemberId;
        if (request.GenerationId != group.GenerationId) return ErrorCode.IllegalGeneration;
        if (request.ProtocolType is string type && type != group.ProtocolType) return ErrorCode.InconsistentGroupProtocol;
        if (request.ProtocolName is string name && name != group.ProtocolName) return ErrorCode.InconsistentGroupProtocol;
        return ErrorCode.None;
    }

    private static void MarkSynced(ClassicGroup group, string memberId)
    {
        group.RemovePendingSync(memberId);
        if (group.HasReceivedSyncFromAllMembers) group.SyncDeadlineMs = null;
    }

    /// <summary>
    /// Kafka's leader branch of <c>doSyncGroup</c>: members the leader left out get an empty assignment; the
    /// group is stored, and when the write is committed, if the group is still in this generation's
    /// CompletingRebalance, the assignment goes out (or, if the write failed, everyone rebalances).
    /// </summary>
    private void StoreAssignment(ClassicGroup group, SyncGroupRequest request, long nowMs, Effects effects)
    {
        var assignments = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (SyncGroupRequest.SyncGroupRequestAssignment assignment in request.Assignments)
        {
            if (group.Has(assignment.MemberId)) assignments[assignment.MemberId] = assignment.Assignment.ToArray();
        }
        int generationId = group.GenerationId;
        var batch = GroupLogWriter.NewBatch();
        GroupRecords.AppendGroupMetadata(batch, group.GroupId, GroupRecords.ValueOf(group, member => assignments.GetValueOrDefault(member.MemberId, ReadOnlyMemory<byte>.Empty)), nowMs);
        writer.Append(group.Partition, batch, nowMs, effects, (outcome, laterEffects) =>
        {
            if (group.State != GroupState.CompletingRebalance || group.GenerationId != generationId) return;
            ErrorCode error = GroupLogWriter.ForGroupStore(outcome.ErrorCode);
            if (error == ErrorCode.None)
            {
                rebalancer.SetAndPropagateAssignment(group, assignments, outcome.CompletedAtMs, laterEffects);
            }
            else
            {
                rebalancer.ResetAndPropagateAssignmentError(group, error, outcome.CompletedAtMs, laterEffects);
                rebalancer.MaybePrepareRebalance(group, outcome.CompletedAtMs, laterEffects);
            }
            group.CheckInvariants();
        });
    }
}
