namespace Reference.Core.Groups;

/// <summary>A read-only view of one group, for monitors and tests; never fed back into the coordinator.</summary>
public sealed record GroupSnapshot(
    string GroupId,
    int Partition,
    GroupState State,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string? LeaderId,
    IReadOnlyList<MemberSnapshot> Members,
    int PendingMemberCount,
    int CommittedOffsetCount);

/// <summary>One member as a <see cref="GroupSnapshot"/> shows it, in join order.</summary>
public sealed record MemberSnapshot(
    string MemberId,
    string? GroupInstanceId,
    bool IsAwaitingJoin,
    bool IsAwaitingSync,
    int AssignedGeneration,
    ReadOnlyMemory<byte> Assignment);
