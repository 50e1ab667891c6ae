using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// The answer to one member's JoinGroup (Kafka's <c>JoinGroupResult</c>), written in the version the member
/// asked in when the answer is finally sent. Failures carry generation -1, no protocol and no leader.
/// </summary>
internal sealed record JoinOutcome(
    string MemberId,
    ErrorCode Error,
    int GenerationId = -1,
    string? ProtocolType = null,
    string? ProtocolName = null,
    string LeaderId = "",
    bool SkipAssignment = false,
    List<JoinGroupResponse.JoinGroupResponseMember>? Members = null)
{
    public static JoinOutcome Failed(string memberId, ErrorCode error) => new(memberId, error);

    public JoinGroupResponse ToResponse(short version) => new()
    {
        ErrorCode = (short)Error,
        GenerationId = GenerationId,
        ProtocolType = ProtocolType,
        // Before v7 the name is not nullable; Kafka sends "" (GroupCoordinator.NoProtocol) for none.
        ProtocolName = version >= 7 ? ProtocolName : ProtocolName ?? "",
        Leader = LeaderId,
        SkipAssignment = SkipAssignment,
        MemberId = MemberId,
        Members = Members ?? [],
    };
}

/// <summary>The answer to one member's SyncGroup (Kafka's <c>SyncGroupResult</c>): its assignment, or why not.</summary>
internal sealed record SyncOutcome(ErrorCode Error, string? ProtocolType, string? ProtocolName, ReadOnlyMemory<byte> Assignment)
{
    public static SyncOutcome Failed(ErrorCode error) => new(error, null, null, ReadOnlyMemory<byte>.Empty);

    public SyncGroupResponse ToResponse() => new()
    {
        ErrorCode = (short)Error,
        ProtocolType = ProtocolType,
        ProtocolName = ProtocolName,
        Assignment = Assignment,
    };
}
