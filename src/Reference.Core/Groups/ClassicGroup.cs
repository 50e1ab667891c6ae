using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>The initial rebalance's delay (Kafka's <c>InitialDelayedJoin</c>): the current wait, and what is left of the rebalance timeout.</summary>
internal readonly record struct InitialJoinDelay(int DelayMs, int RemainingMs);

/// <summary>
/// One classic group (Kafka's <c>GroupMetadata</c>): state, generation, protocol, leader, members in join
/// order, members still to rejoin with their generated id (KIP-394), static members (KIP-345), the rebalance
/// timers and the committed offsets. It keeps its own invariants; the protocol decisions are the handlers'.
/// Members are kept in join order, which picks the leader and orders responses; the dictionaries are
/// for lookups only and are never enumerated.
/// </summary>
internal sealed partial class ClassicGroup
{
    /// <summary>The protocol type of Kafka consumers, whose metadata this coordinator can read (subscribed topics).</summary>
    public const string ConsumerProtocolType = "consumer";

    private readonly List<GroupMember> _members = [];
    private readonly Dictionary<string, GroupMember> _membersById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _memberIdByInstanceId = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _pendingMemberDeadlinesMs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingSyncMemberIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _protocolSupportCounts = new(StringComparer.Ordinal);

    public ClassicGroup(string groupId, int partition, GroupState initialState, long nowMs)
    {
        GroupInvariant.Check(initialState is GroupState.Empty or GroupState.Stable, "a group starts Empty, or Stable when loaded with members");
        GroupId = groupId;
        Partition = partition;
        State = initialState;
        StateTimestampMs = nowMs;
    }

    public string GroupId { get; }

    /// <summary>The <c>__consumer_offsets</c> partition that stores this group.</summary>
    public int Partition { get; }

    public GroupState State { get; private set; }

    /// <summary>When the group entered its state (Kafka's <c>currentStateTimestamp</c>); null if loaded from a record too old to carry it.</summary>
    public long? StateTimestampMs { get; private set; }

    /// <summary>Only ever increases: each completed rebalance starts the next generation.</summary>
    public int GenerationId { get; private set; }

    /// <summary>Set by the first member; null for a group that only stores offsets (a simple consumer's).</summary>
    public string? ProtocolType { get; private set; }

    /// <summary>The protocol every member supports, chosen by vote at each generation; null while Empty.</summary>
    public string? ProtocolName { get; private set; }

    /// <summary>The member that computes the assignment: the first to join, while it stays.</summary>
    public string? LeaderId { get; private set; }

    /// <summary>The topics the consumers subscribe to, or null when unknown (then every topic counts as subscribed).</summary>
    public IReadOnlySet<string>? SubscribedTopics { get; private set; }

    public GroupOffsets Offsets { get; } = new();

    /// <summary>A member joined during the initial delay, so the delay may be extended once more.</summary>
    public bool NewMemberAdded { get; set; }

    /// <summary>When the PreparingRebalance phase ends at the latest; null in every other state.</summary>
    public long? JoinDeadlineMs { get; set; }

    /// <summary>Set while the join deadline is the initial rebalance delay rather than the rebalance timeout.</summary>
    public InitialJoinDelay? InitialDelay { get; set; }

    /// <summary>When members that have not sent SyncGroup for this generation are removed; null when none is owed.</summary>
    public long? SyncDeadlineMs { get; set; }

    public IReadOnlyList<GroupMember> Members => _members;

    public int Size => _members.Count;

    /// <summary>Members told MEMBER_ID_REQUIRED, with the time they must rejoin by, in member id order.</summary>
    public IEnumerable<KeyValuePair<string, long>> PendingMembers => _pendingMemberDeadlinesMs;

    public int PendingMemberCount => _pendingMemberDeadlinesMs.Count;

    public int NumMembersAwaitingJoin => _members.Count(member => member.IsAwaitingJoin);

    public bool IsConsumerGroup => ProtocolType == ConsumerProtocolType;

    /// <summary>Every member has rejoined and no member told MEMBER_ID_REQUIRED is still expected back.</summary>
    public bool HasAllMembersJoined => _members.Count == NumMembersAwaitingJoin && _pendingMemberDeadlinesMs.Count == 0;

    public bool HasReceivedSyncFromAllMembers => _pendingSyncMemberIds.Count == 0;

    public bool CanRebalance => State is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty;

    /// <summary>The rebalance waits as long as its most patient member asks (Kafka's <c>rebalanceTimeoutMs</c>).</summary>
    public int RebalanceTimeoutMs => _members.Count == 0 ? 0 : _members.Max(member => member.RebalanceTimeoutMs);

    public bool Has(string memberId) => _membersById.ContainsKey(memberId);

    public bool TryGet(string memberId, out GroupMember member) => _membersById.TryGetValue(memberId, out member!);

    public GroupMember Get(string memberId) =>
        _membersById.TryGetValue(memberId, out GroupMember? member) ? member : throw new InvalidOperationException($"group coordinator invariant broken: {memberId} is a member of {GroupId}");

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public bool IsPendingMember(string memberId) => _pendingMemberDeadlinesMs.ContainsKey(memberId);

    public string? StaticMemberId(string? groupInstanceId) =>
        groupInstanceId is not null && _memberIdByInstanceId.TryGetValue(groupInstanceId, out string? memberId) ? memberId : null;

    /// <summary>KIP-345: another member id holds this instance id, so the caller is a stale duplicate.</summary>
    public bool IsStaticMemberFenced(string? groupInstanceId, string memberId) =>
        StaticMemberId(groupInstanceId) is string current && current != memberId;

    public bool IsSubscribedToTopic(string topic) => SubscribedTopics?.Contains(topic) ?? true;

    public void TransitionTo(GroupState next, long nowMs)
    {
        GroupInvariant.Check(GroupStateTransitions.IsAllowed(State, next), $"group {GroupId} may move from {State} to {next}");
        State = next;
        StateTimestampMs = nowMs;
        if (next != GroupState.PreparingRebalance)
        {
            JoinDeadlineMs = null;
            InitialDelay = null;
        }
        if (next is GroupState.PreparingRebalance or GroupState.Empty or GroupState.Dead) SyncDeadlineMs = null;
    }

    /// <summary>Kafka's <c>supportsProtocols</c>: a joiner must share the protocol type and one protocol every member supports.</summary>
    public bool SupportsProtocols(string protocolType, IReadOnlyList<MemberProtocol> protocols)
    {
        if (State == GroupState.Empty) return protocolType.Length > 0 && protocols.Count > 0;
        return ProtocolType == protocolType && protocols.Any(protocol => SupportCount(protocol.Name) == _members.Count);
    }

    public void AddPendingMember(string memberId, long deadlineMs)
    {
        GroupInvariant.Check(!Has(memberId), "a pending member is not yet a member");
        _pendingMemberDeadlinesMs[memberId] = deadlineMs;
    }

    public bool RemovePendingMember(string memberId) => _pendingMemberDeadlinesMs.Remove(memberId);

    /// <summary>Kafka's <c>GroupMetadata.add</c>: the first member sets the protocol type and becomes leader.</summary>
    public void Add(GroupMember member)
    {
        GroupInvariant.Check(!Has(member.MemberId), $"{member.MemberId} joins {GroupId} once");
        if (_members.Count == 0) ProtocolType = member.ProtocolType;
        GroupInvariant.Check(ProtocolType == member.ProtocolType, "members share the group's protocol type");
        LeaderId ??= member.MemberId;
        _members.Add(member);
        _membersById.Add(member.MemberId, member);
        if (member.GroupInstanceId is string instanceId) _memberIdByInstanceId[instanceId] = member.MemberId;
        CountProtocols(member.Protocols, +1);
        _pendingMemberDeadlinesMs.Remove(member.MemberId);
    }

    /// <summary>Kafka's <c>GroupMetadata.remove</c>; a departing leader hands over to the next member in join order.</summary>
    public void Remove(string memberId)
    {
        _pendingMemberDeadlinesMs.Remove(memberId);
        _pendingSyncMemberIds.Remove(memberId);
        if (!_membersById.Remove(memberId, out GroupMember? member)) return;
        _members.Remove(member);
        CountProtocols(member.Protocols, -1);
        if (member.GroupInstanceId is string instanceId) _memberIdByInstanceId.Remove(instanceId);
        if (LeaderId == memberId) LeaderId = _members.Count > 0 ? _members[0].MemberId : null;
    }

    public void UpdateMember(GroupMember member, IReadOnlyList<MemberProtocol> protocols, int rebalanceTimeoutMs, int sessionTimeoutMs)
    {
        GroupInvariant.Check(_membersById.GetValueOrDefault(member.MemberId) == member, "only a member is updated");
        CountProtocols(member.Protocols, -1);
        member.Protocols = protocols;
        CountProtocols(protocols, +1);
        member.RebalanceTimeoutMs = rebalanceTimeoutMs;
        member.SessionTimeoutMs = sessionTimeoutMs;
    }

    /// <summary>
    /// KIP-345: a static member that rejoins without its member id takes a new one; it keeps its place, its
    /// assignment and its leadership. The caller fences whatever the old id was waiting on first.
    /// </summary>
    public GroupMember ReplaceStaticMember(string groupInstanceId, string oldMemberId, string newMemberId)
    {
        GroupInvariant.Check(StaticMemberId(groupInstanceId) == oldMemberId, $"instance {groupInstanceId} is held by {oldMemberId}");
        GroupInvariant.Check(!Has(newMemberId) && !IsPendingMember(newMemberId), "a generated member id is new");
        _membersById.Remove(oldMemberId, out GroupMember? member);
        member!.MemberId = newMemberId;
        _membersById.Add(newMemberId, member);
        _memberIdByInstanceId[groupInstanceId] = newMemberId;
        if (LeaderId == oldMemberId) LeaderId = newMemberId;
        if (_pendingSyncMemberIds.Remove(oldMemberId)) _pendingSyncMemberIds.Add(newMemberId);
        return member;
    }

    /// <summary>
    /// Kafka's <c>maybeElectNewJoinedLeader</c>: a leader that did not rejoin hands over to the first member
    /// that did. False when no member rejoined at all (and so the rebalance cannot complete yet).
    /// </summary>
    public bool MaybeElectNewJoinedLeader()
    {
        if (LeaderId is null) return false;
        if (Get(LeaderId).IsAwaitingJoin) return true;
        GroupMember? joined = _members.FirstOrDefault(member => member.IsAwaitingJoin);
        if (joined is null) return false;
        LeaderId = joined.MemberId;
        return true;
    }

    /// <summary>Kafka's <c>initNextGeneration</c>: the generation moves on and every member owes a SyncGroup.</summary>
    public void InitNextGeneration(long nowMs)
    {
        GroupInvariant.Check(State == GroupState.PreparingRebalance, "a generation starts at the end of PreparingRebalance");
        int previousGeneration = GenerationId;
        GenerationId = checked(GenerationId + 1);
        GroupInvariant.Check(GenerationId > previousGeneration, "generations only increase");
        ProtocolName = _members.Count > 0 ? SelectProtocol() : null;
        SubscribedTopics = ComputeSubscribedTopics();
        TransitionTo(_members.Count > 0 ? GroupState.CompletingRebalance : GroupState.Empty, nowMs);
        _pendingSyncMemberIds.Clear();
        foreach (GroupMember member in _members) _pendingSyncMemberIds.Add(member.MemberId);
    }

    /// <summary>
    /// Kafka's <c>selectProtocol</c>: among the protocols every member supports, each member votes for its
    /// most preferred and the most votes win. Kafka breaks ties by hash order; we break them by join order
    /// (the protocol voted first wins), so the choice is the same on every run.
    /// </summary>
    public string SelectProtocol()
    {
        GroupInvariant.Check(_members.Count > 0, "a protocol is selected for a group with members");
        var candidates = new HashSet<string>(_protocolSupportCounts.Where(entry => entry.Value == _members.Count).Select(entry => entry.Key), StringComparer.Ordinal);
        GroupInvariant.Check(candidates.Count > 0, "every member of a group supports a common protocol");
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        var votedInOrder = new List<string>();
        foreach (GroupMember member in _members)
        {
            string vote = member.VoteFor(candidates);
            if (!votes.TryAdd(vote, 1)) votes[vote]++;
            else votedInOrder.Add(vote);
        }
        string selected = votedInOrder[0];
        foreach (string protocol in votedInOrder)
        {
            if (votes[protocol] > votes[selected]) selected = protocol;
        }
        return selected;
    }

    /// <summary>What the leader receives in its JoinGroup response: every member's metadata for the chosen protocol, in join order.</summary>
    public List<JoinGroupResponse.JoinGroupResponseMember> CurrentMemberMetadata()
    {
        GroupInvariant.Check(ProtocolName is not null, "members' metadata is handed out once a protocol is chosen");
        return _members.Select(member => new JoinGroupResponse.JoinGroupResponseMember
        {
            MemberId = member.MemberId,
            GroupInstanceId = member.GroupInstanceId,
            Metadata = member.MetadataFor(ProtocolName!),
        }).ToList();
    }

    public void RemovePendingSync(string memberId) => _pendingSyncMemberIds.Remove(memberId);

    /// <summary>Members that have not sent SyncGroup in this generation, in join order.</summary>
    public IReadOnlyList<GroupMember> PendingSyncMembers() => _members.Where(member => _pendingSyncMemberIds.Contains(member.MemberId)).ToList();

    /// <summary>Restores what a group metadata record held, when a partition is loaded.</summary>
    public void RestorePersisted(int generationId, string? protocolType, string? protocolName, string? leaderId, long? stateTimestampMs)
    {
        GroupInvariant.Check(generationId >= 0, "a stored generation is not negative");
        GenerationId = generationId;
        ProtocolType = protocolType;
        ProtocolName = protocolName;
        LeaderId = leaderId;
        StateTimestampMs = stateTimestampMs;
        SubscribedTopics = ComputeSubscribedTopics();
    }

    private IReadOnlySet<string>? ComputeSubscribedTopics()
    {
        if (!IsConsumerGroup) return null;
        if (_members.Count == 0) return new SortedSet<string>(StringComparer.Ordinal);
        if (ProtocolName is null) return null;
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (GroupMember member in _members)
        {
            if (!ConsumerSubscription.TryReadTopics(member.MetadataFor(ProtocolName), topics)) return null;
        }
        return topics;
    }

    private int SupportCount(string protocolName) => _protocolSupportCounts.GetValueOrDefault(protocolName);

    private void CountProtocols(IReadOnlyList<MemberProtocol> protocols, int delta)
    {
        foreach (MemberProtocol protocol in protocols)
        {
            int count = SupportCount(protocol.Name) + delta;
            GroupInvariant.Check(count >= 0, "a protocol is supported by no fewer than zero members");
            if (count == 0) _protocolSupportCounts.Remove(protocol.Name);
            else _protocolSupportCounts[protocol.Name] = count;
        }
    }
}
