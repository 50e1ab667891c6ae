using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// JoinGroup v0-v9 (Kafka's <c>GroupCoordinator.handleJoinGroup</c>): a new member gets an id (and, from v4,
/// must come back with it: KIP-394), a known member rejoins, a static member takes over its instance
/// (KIP-345, <see cref="StaticMemberRejoin"/>). The answer is parked until the rebalance completes, except
/// where the member already has the current generation.
/// </summary>
internal sealed class JoinGroupHandler(
    GroupCoordinatorConfig config,
    GroupCatalog catalog,
    GroupRebalancer rebalancer,
    StaticMemberRejoin staticRejoin,
    IDeterministicRandom random)
{
    /// <summary>Attempts at a fresh member id before concluding the randomness is broken; a 122-bit id repeats in practice never.</summary>
    private const int MemberIdAttemptsMax = 8;

    public void Handle(RequestContext context, JoinGroupRequest request, long nowMs, Effects effects)
    {
        JoinRequest join = JoinRequest.From(context, request);
        ErrorCode refusal = catalog.Status(join.GroupId, emptyGroupIdAllowed: false);
        if (refusal == ErrorCode.None && (join.SessionTimeoutMs < config.GroupMinSessionTimeoutMs || join.SessionTimeoutMs > config.GroupMaxSessionTimeoutMs))
        {
            refusal = ErrorCode.InvalidSessionTimeout;
        }
        if (refusal != ErrorCode.None)
        {
            Reply(join, JoinOutcome.Failed(join.MemberId, refusal), effects);
            return;
        }
        ClassicGroup? group = FindOrCreate(join, nowMs, effects);
        if (group is null) return;
        if (!AcceptsJoiningMember(group, join.MemberId))
        {
            // Kafka's handleJoinGroup: a member over group.max.size is dropped, without a rebalance.
            group.Remove(join.MemberId);
            Reply(join, JoinOutcome.Failed("", ErrorCode.GroupMaxSizeReached), effects);
        }
        else if (join.MemberId.Length == 0)
        {
            JoinNewMember(group, join, nowMs, effects);
        }
        else
        {
            JoinCurrentMember(group, join, nowMs, effects);
        }
        rebalancer.TryCompleteJoin(group, nowMs, effects);
        group.CheckInvariants();
    }

    /// <summary>Kafka's <c>addMemberAndRebalance</c>: the member joins, waits, and the group rebalances for it.</summary>
    public void AddMemberAndRebalance(ClassicGroup group, JoinRequest join, string memberId, long nowMs, Effects effects)
    {
        GroupMember member = join.NewMember(memberId);
        // Only a group's very first rebalance extends its initial delay for members that keep arriving.
        if (group.State == GroupState.PreparingRebalance && group.GenerationId == 0) group.NewMemberAdded = true;
        group.Add(member);
        rebalancer.ParkJoin(member, join.Context, effects);
        rebalancer.ScheduleHeartbeat(member, nowMs);
        rebalancer.MaybePrepareRebalance(group, nowMs, effects);
    }

    private ClassicGroup? FindOrCreate(JoinRequest join, long nowMs, Effects effects)
    {
        if (catalog.Find(join.GroupId) is ClassicGroup group) return group;
        ErrorCode error = join.MemberId.Length > 0 ? ErrorCode.UnknownMemberId
            : catalog.IsFull ? ErrorCode.CoordinatorNotAvailable
            : ErrorCode.None;
        if (error == ErrorCode.None) return catalog.Create(join.GroupId, nowMs);
        Reply(join, JoinOutcome.Failed(join.MemberId, error), effects);
        return null;
    }

    /// <summary>
    /// Kafka's <c>acceptJoiningMember</c>: while preparing, members already waiting are always let in and new
    /// ones only below group.max.size waiting members; otherwise below group.max.size members.
    /// </summary>
    private bool AcceptsJoiningMember(ClassicGroup group, string memberId) => group.State switch
    {
        GroupState.Empty or GroupState.Dead => true,
        GroupState.PreparingRebalance => (group.TryGet(memberId, out GroupMember member) && member.IsAwaitingJoin) || group.NumMembersAwaitingJoin < config.GroupMaxSize,
        _ => group.Has(memberId) || group.Size < config.GroupMaxSize,
    };

    /// <summary>Kafka's <c>doNewMemberJoinGroup</c>: a member without an id.</summary>
    private void JoinNewMember(ClassicGroup group, JoinRequest join, long nowMs, Effects effects)
    {
        if (group.State == GroupState.Dead)
        {
            Reply(join, JoinOutcome.Failed("", ErrorCode.CoordinatorNotAvailable), effects);
            return;
        }
        if (!group.SupportsProtocols(join.ProtocolType, join.Protocols))
        {
            Reply(join, JoinOutcome.Failed("", ErrorCode.InconsistentGroupProtocol), effects);
            return;
        }
        string memberId = NewMemberId(group, join.GroupInstanceId ?? join.ClientId);
        if (join.GroupInstanceId is string instanceId)
        {
            if (group.StaticMemberId(instanceId) is string oldMemberId) staticRejoin.Rejoin(group, join, oldMemberId, memberId, nowMs, effects);
            else AddMemberAndRebalance(group, join, memberId, nowMs, effects);
        }
        else if (join.RequiresKnownMemberId)
        {
            RequireMemberId(group, join, memberId, nowMs, effects);
        }
        else
        {
            AddMemberAndRebalance(group, join, memberId, nowMs, effects);
        }
    }

    /// <summary>
    /// KIP-394: the member is told its id (MEMBER_ID_REQUIRED) and must rejoin with it within its session
    /// timeout; meanwhile a rebalance waits for it. Bounded, our addition, by group.max.size waiting ids.
    /// </summary>
    private void RequireMemberId(ClassicGroup group, JoinRequest join, string memberId, long nowMs, Effects effects)
    {
        if (group.PendingMemberCount >= config.GroupMaxSize)
        {
            Reply(join, JoinOutcome.Failed("", ErrorCode.GroupMaxSizeReached), effects);
            return;
        }
        group.AddPendingMember(memberId, nowMs + join.SessionTimeoutMs);
        Reply(join, JoinOutcome.Failed(memberId, ErrorCode.MemberIdRequired), effects);
    }

    /// <summary>Kafka's <c>doCurrentMemberJoinGroup</c>: a member that presents an id.</summary>
    private void JoinCurrentMember(ClassicGroup group, JoinRequest join, long nowMs, Effects effects)
    {
        ErrorCode error = CurrentMemberError(group, join);
        if (error != ErrorCode.None)
        {
            Reply(join, JoinOutcome.Failed(join.MemberId, error), effects);
            return;
        }
        if (group.IsPendingMember(join.MemberId))
        {
            AddMemberAndRebalance(group, join, join.MemberId, nowMs, effects);
            return;
        }
        GroupMember member = group.Get(join.MemberId);
        bool unchanged = member.Matches(join.Protocols);
        bool rebalance = group.State switch
        {
            GroupState.PreparingRebalance => true,
            GroupState.CompletingRebalance => !unchanged,
            // The leader's rejoin always rebalances: it may have seen a change the metadata does not show (new topic partitions).
            GroupState.Stable => group.IsLeader(member.MemberId) || !unchanged,
            _ => throw new InvalidOperationException($"group coordinator invariant broken: a group with members is not {group.State}"),
        };
        if (rebalance)
        {
            group.UpdateMember(member, join.Protocols, join.RebalanceTimeoutMs, join.SessionTimeoutMs);
            rebalancer.ParkJoin(member, join.Context, effects);
            rebalancer.MaybePrepareRebalance(group, nowMs, effects);
            return;
        }
        // The member lost the answer to its JoinGroup: hand it the current generation again.
        JoinOutcome current = GroupRebalancer.JoinedOutcome(group, member);
        bool withMembers = group.State == GroupState.CompletingRebalance && group.IsLeader(member.MemberId);
        Reply(join, withMembers ? current : current with { Members = [] }, effects);
    }

    private static ErrorCode CurrentMemberError(ClassicGroup group, JoinRequest join)
    {
        if (group.State == GroupState.Dead) return ErrorCode.CoordinatorNotAvailable;
        if (!group.SupportsProtocols(join.ProtocolType, join.Protocols)) return ErrorCode.InconsistentGroupProtocol;
        if (group.IsPendingMember(join.MemberId))
        {
            // Only dynamic members are ever pending; Kafka throws on a static one, we refuse it as unknown.
            return join.GroupInstanceId is null ? ErrorCode.None : ErrorCode.UnknownMemberId;
        }
        if (group.IsStaticMemberFenced(join.GroupInstanceId, join.MemberId)) return ErrorCode.FencedInstanceId;
        bool unknownInstance = join.GroupInstanceId is not null && group.StaticMemberId(join.GroupInstanceId) is null;
        if (!group.Has(join.MemberId) || unknownInstance) return ErrorCode.UnknownMemberId;
        // Kafka answers UNKNOWN_MEMBER_ID for an Empty group too, but an Empty group has no members to reach this.
        return ErrorCode.None;
    }

    private string NewMemberId(ClassicGroup group, string prefix)
    {
        for (int attempt = 0; attempt < MemberIdAttemptsMax; attempt++)
        {
            string memberId = GroupMemberIds.Generate(prefix, random);
            if (!group.Has(memberId) && !group.IsPendingMember(memberId)) return memberId;
        }
        throw new InvalidOperationException($"{MemberIdAttemptsMax} random member ids in a row were taken: the random source repeats");
    }

    private static void Reply(JoinRequest join, JoinOutcome outcome, Effects effects) =>
        effects.Respond(join.Context, outcome.ToResponse(join.Context.ApiVersion));
}
