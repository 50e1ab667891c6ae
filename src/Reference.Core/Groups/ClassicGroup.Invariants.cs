namespace Reference.Core.Groups;

/// <summary>The invariants of a classic group, checked after every change the coordinator makes to one.</summary>
internal sealed partial class ClassicGroup
{
    public void CheckInvariants()
    {
        GroupInvariant.Check(_members.Count == _membersById.Count, $"{GroupId}: members and their index agree");
        GroupInvariant.Check((_members.Count == 0) == (LeaderId is null), $"{GroupId}: a group has a leader exactly when it has members");
        GroupInvariant.Check(LeaderId is null || Has(LeaderId), $"{GroupId}: the leader is a member");
        GroupInvariant.Check(_members.Count(member => member.IsStatic) == _memberIdByInstanceId.Count, $"{GroupId}: every static member is indexed once");
        foreach (GroupMember member in _members)
        {
            GroupInvariant.Check(_membersById.GetValueOrDefault(member.MemberId) == member, $"{GroupId}: {member.MemberId} is indexed");
            GroupInvariant.Check(!IsPendingMember(member.MemberId), $"{GroupId}: {member.MemberId} is not both member and pending");
            GroupInvariant.Check(!member.IsAwaitingSync || State == GroupState.CompletingRebalance, $"{GroupId}: SyncGroups wait only while the rebalance completes");
        }
        GroupInvariant.Check(State != GroupState.Empty || _members.Count == 0, $"{GroupId}: an Empty group has no members");
        GroupInvariant.Check((JoinDeadlineMs is not null) == (State == GroupState.PreparingRebalance), $"{GroupId}: a join deadline runs exactly while preparing a rebalance");
        bool hasGeneration = State is GroupState.CompletingRebalance or GroupState.Stable;
        GroupInvariant.Check(!hasGeneration || (_members.Count > 0 && ProtocolName is not null), $"{GroupId}: a running generation has members and a protocol");
        GroupInvariant.Check(State != GroupState.Stable || _members.All(member => member.AssignedGeneration == GenerationId), $"{GroupId}: in Stable every member holds this generation's assignment");
        CheckProtocolSupportCounts();
    }

    private void CheckProtocolSupportCounts()
    {
        var recount = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (MemberProtocol protocol in _members.SelectMany(member => member.Protocols))
        {
            recount[protocol.Name] = recount.GetValueOrDefault(protocol.Name) + 1;
        }
        GroupInvariant.Check(recount.Count == _protocolSupportCounts.Count && recount.All(entry => _protocolSupportCounts.GetValueOrDefault(entry.Key) == entry.Value),
            $"{GroupId}: protocol support counts match the members");
    }
}
