using Reference.Core.Node;

namespace Reference.Core.Groups;

/// <summary>A protocol a member supports (for consumers: an assignor such as <c>range</c>) with its opaque metadata.</summary>
internal readonly record struct MemberProtocol(string Name, ReadOnlyMemory<byte> Metadata);

/// <summary>
/// One member of a classic group (Kafka's <c>MemberMetadata</c>): who it is, the protocols it supports in
/// its order of preference, its timeouts, the assignment the leader gave it, and the JoinGroup or SyncGroup
/// it is waiting on. Byte payloads are copies, never slices of a request frame the shell may reuse.
/// </summary>
internal sealed class GroupMember(
    string memberId,
    string? groupInstanceId,
    string clientId,
    string clientHost,
    string protocolType,
    int rebalanceTimeoutMs,
    int sessionTimeoutMs,
    IReadOnlyList<MemberProtocol> protocols)
{
    /// <summary>Changes only when a static member rejoins and takes a new id (KIP-345).</summary>
    public string MemberId { get; set; } = memberId;

    /// <summary><c>group.instance.id</c>: set for static members (KIP-345), which survive restarts without a rebalance.</summary>
    public string? GroupInstanceId { get; } = groupInstanceId;

    public string ClientId { get; } = clientId;

    public string ClientHost { get; } = clientHost;

    public string ProtocolType { get; } = protocolType;

    /// <summary>How long a rebalance waits for this member to rejoin; the group waits for the largest.</summary>
    public int RebalanceTimeoutMs { get; set; } = rebalanceTimeoutMs;

    /// <summary>How long the member may go without a heartbeat before it is removed.</summary>
    public int SessionTimeoutMs { get; set; } = sessionTimeoutMs;

    /// <summary>The member's protocols in its order of preference; a protocol named twice counts once.</summary>
    public IReadOnlyList<MemberProtocol> Protocols { get; set; } = protocols;

    /// <summary>What the leader assigned this member, empty until a generation's assignment arrives.</summary>
    public ReadOnlyMemory<byte> Assignment { get; set; } = ReadOnlyMemory<byte>.Empty;

    /// <summary>The generation <see cref="Assignment"/> belongs to; -1 before the first.</summary>
    public int AssignedGeneration { get; set; } = -1;

    /// <summary>
    /// Joined in the current rebalance for the first time. Such a member has no generation to heartbeat with, so
    /// it expires after <see cref="GroupCoordinatorConfig.NewMemberJoinTimeoutMs"/> instead of being kept by its wait.
    /// </summary>
    public bool IsNew { get; set; }

    /// <summary>When the member is removed unless it heartbeats (or is waiting on a rebalance, see <see cref="IsExemptFromExpiry"/>).</summary>
    public long HeartbeatDeadlineMs { get; set; }

    /// <summary>Has a JoinGroup parked until the rebalance completes.</summary>
    public bool IsAwaitingJoin { get; set; }

    /// <summary>Where to answer the parked JoinGroup; null when its connection closed (the member still counts as joined, as in Kafka).</summary>
    public RequestContext? JoinWaiter { get; set; }

    /// <summary>Has a SyncGroup parked until the leader's assignment is stored.</summary>
    public bool IsAwaitingSync { get; set; }

    /// <summary>Where to answer the parked SyncGroup; null when its connection closed.</summary>
    public RequestContext? SyncWaiter { get; set; }

    public bool IsStatic => GroupInstanceId is not null;

    /// <summary>
    /// Kafka's <c>hasSatisfiedHeartbeat</c>: a known member waiting on a JoinGroup or SyncGroup cannot
    /// heartbeat (its connection is busy), so it is not expired while it waits; its session restarts when answered.
    /// </summary>
    public bool IsExemptFromExpiry => !IsNew && (IsAwaitingJoin || IsAwaitingSync);

    /// <summary>The same protocols with the same metadata, in the same order (a rejoin that changes nothing).</summary>
    public bool Matches(IReadOnlyList<MemberProtocol> other)
    {
        if (other.Count != Protocols.Count) return false;
        for (int i = 0; i < other.Count; i++)
        {
            if (other[i].Name != Protocols[i].Name) return false;
            if (!other[i].Metadata.Span.SequenceEqual(Protocols[i].Metadata.Span)) return false;
        }
        return true;
    }

    public bool Supports(string protocolName) => IndexOf(protocolName) >= 0;

    /// <summary>The metadata the member sent for the group's chosen protocol.</summary>
    public ReadOnlyMemory<byte> MetadataFor(string protocolName)
    {
        int index = IndexOf(protocolName);
        GroupInvariant.Check(index >= 0, $"member {MemberId} supports the group's protocol {protocolName}");
        return Protocols[index].Metadata;
    }

    /// <summary>Kafka's <c>MemberMetadata.vote</c>: the member's most preferred protocol among the candidates.</summary>
    public string VoteFor(IReadOnlySet<string> candidates)
    {
        foreach (MemberProtocol protocol in Protocols)
        {
            if (candidates.Contains(protocol.Name)) return protocol.Name;
        }
        throw new InvalidOperationException($"group coordinator invariant broken: member {MemberId} supports a candidate protocol");
    }

    private int IndexOf(string protocolName)
    {
        for (int i = 0; i < Protocols.Count; i++)
        {
            if (Protocols[i].Name == protocolName) return i;
        }
        return -1;
    }
}
