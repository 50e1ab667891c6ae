using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// A JoinGroup as the coordinator acts on it, the same for every version: protocols are copied out of the
/// request frame, and a protocol named twice counts once.
/// </summary>
internal sealed record JoinRequest(
    RequestContext Context,
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int RebalanceTimeoutMs,
    int SessionTimeoutMs,
    string ProtocolType,
    IReadOnlyList<MemberProtocol> Protocols)
{
    /// <summary>KIP-394 (v4+): a dynamic member without an id is given one and must come back with it.</summary>
    public bool RequiresKnownMemberId => Context.ApiVersion >= 4 && GroupInstanceId is null;

    /// <summary>KIP-814 (v9+): a static leader that rejoins learns the members but need not reassign.</summary>
    public bool SupportsSkippingAssignment => Context.ApiVersion >= 9;

    public static JoinRequest From(RequestContext context, JoinGroupRequest request)
    {
        var protocols = new List<MemberProtocol>(request.Protocols.Count);
        foreach (JoinGroupRequest.JoinGroupRequestProtocol protocol in request.Protocols)
        {
            if (protocols.Exists(known => known.Name == protocol.Name)) continue;
            protocols.Add(new MemberProtocol(protocol.Name, protocol.Metadata.ToArray()));
        }
        return new JoinRequest(
            context,
            request.GroupId,
            request.MemberId,
            request.GroupInstanceId,
            context.ClientId ?? "",
            context.ClientHost,
            RebalanceTimeoutOf(context.ApiVersion, request),
            request.SessionTimeoutMs,
            request.ProtocolType,
            protocols);
    }

    /// <summary>
    /// v0 has no rebalance timeout and Kafka uses the session timeout. Kafka takes any other value as given;
    /// a non-positive one would make every rebalance deadline due at once, again and again, so we read it as v0.
    /// </summary>
    private static int RebalanceTimeoutOf(short version, JoinGroupRequest request) =>
        version == 0 || request.RebalanceTimeoutMs <= 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs;

    public GroupMember NewMember(string memberId) =>
        new(memberId, GroupInstanceId, ClientId, ClientHost, ProtocolType, RebalanceTimeoutMs, SessionTimeoutMs, Protocols) { IsNew = true };
}
