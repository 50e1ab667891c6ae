using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>
/// DescribeGroups v0-v5 and ListGroups v0-v5 (Kafka's <c>handleDescribeGroup</c> and <c>handleListGroups</c>):
/// what the admin tools show. Read-only.
/// </summary>
internal sealed class GroupQueryHandler(GroupCatalog catalog)
{
    /// <summary>The only group type this coordinator serves (ListGroups v5's TypesFilter, KIP-848's naming).</summary>
    public const string ClassicGroupType = "classic";

    /// <summary>
    /// DescribeGroups v3+ may ask what the caller may do with the group. Without an authorizer every operation
    /// a group supports is allowed, as Kafka answers: READ (3), DELETE (6) and DESCRIBE (8), as a bit field.
    /// </summary>
    private const int AllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

    public void HandleDescribe(RequestContext context, DescribeGroupsRequest request, Effects effects)
    {
        var response = new DescribeGroupsResponse();
        foreach (string groupId in request.Groups)
        {
            DescribeGroupsResponse.DescribedGroup described = Describe(groupId);
            if (context.ApiVersion >= 3 && request.IncludeAuthorizedOperations) described.AuthorizedOperations = AllGroupOperations;
            response.Groups.Add(described);
        }
        effects.Respond(context, response);
    }

    public void HandleList(RequestContext context, ListGroupsRequest request, Effects effects)
    {
        var states = new HashSet<string>(request.StatesFilter, StringComparer.OrdinalIgnoreCase);
        bool classicWanted = request.TypesFilter.Count == 0 || request.TypesFilter.Contains(ClassicGroupType, StringComparer.OrdinalIgnoreCase);
        var response = new ListGroupsResponse();
        foreach (ClassicGroup group in catalog.All)
        {
            if (!classicWanted || (states.Count > 0 && !states.Contains(group.State.ToString()))) continue;
            response.Groups.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = group.GroupId,
                ProtocolType = group.ProtocolType ?? "",
                GroupState = group.State.ToString(),
                GroupType = ClassicGroupType,
            });
        }
        effects.Respond(context, response);
    }

    /// <summary>
    /// Kafka's <c>GroupMetadata.summary</c>: a Stable group shows each member's metadata and assignment; any other
    /// shows its members without them. A group unknown here is described as Dead, with no error.
    /// </summary>
    private DescribeGroupsResponse.DescribedGroup Describe(string groupId)
    {
        ErrorCode status = catalog.Status(groupId, emptyGroupIdAllowed: true);
        if (status != ErrorCode.None) return new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, ErrorCode = (short)status };
        ClassicGroup? group = catalog.Find(groupId);
        if (group is null) return new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, GroupState = nameof(GroupState.Dead) };
        bool stable = group.State == GroupState.Stable;
        return new DescribeGroupsResponse.DescribedGroup
        {
            GroupId = groupId,
            GroupState = group.State.ToString(),
            ProtocolType = group.ProtocolType ?? "",
            ProtocolData = stable ? group.ProtocolName! : "",
            Members = group.Members.Select(member => new DescribeGroupsResponse.DescribedGroupMember
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                ClientId = member.ClientId,
                ClientHost = member.ClientHost,
                MemberMetadata = stable ? member.MetadataFor(group.ProtocolName!) : ReadOnlyMemory<byte>.Empty,
                MemberAssignment = stable ? member.Assignment : ReadOnlyMemory<byte>.Empty,
            }).ToList(),
        };
    }
}
