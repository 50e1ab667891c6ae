using Reference.Core.Groups;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Groups.GroupRequests;

namespace Reference.Core.Tests.Groups;

/// <summary>What the admin tools see and may do: DescribeGroups, ListGroups, DeleteGroups, OffsetDelete.</summary>
public sealed class GroupAdminTests
{
    private static DeleteGroupsResponse Delete(GroupHarness harness, params string[] groups) =>
        harness.Send(9, 1, new DeleteGroupsRequest { GroupsNames = groups.ToList() }).For<DeleteGroupsResponse>(9);

    [Fact]
    public void DeleteGroupsDeletesOnlyEmptyGroupsAndTheirOffsets()
    {
        var harness = new GroupHarness();
        GroupFlows.StableGroup(harness, "busy");
        harness.Send(1, 2, Commit("idle", -1, "", ("orders", 0, 9)));

        var response = Delete(harness, "busy", "idle", "never-seen", "idle");

        Assert.Equal(["busy", "idle", "never-seen"], response.Results.Select(result => result.GroupId));
        Assert.Equal([ErrorCode.NonEmptyGroup, ErrorCode.None, ErrorCode.GroupIdNotFound], response.Results.Select(result => Error(result.ErrorCode)));
        Assert.False(harness.HasGroup("idle"));
        Assert.Equal(-1, OffsetOf(harness.Send(1, 5, Fetch("idle", ("orders", [0]))).For<OffsetFetchResponse>(1), "orders", 0));
        // The tombstones are in the log: a coordinator loading it does not bring the group back.
        harness.Restart();
        Assert.False(harness.HasGroup("idle"));
        Assert.True(harness.HasGroup("busy"));
        Assert.Equal(ErrorCode.GroupIdNotFound, Error(Delete(harness, "idle").Results[0].ErrorCode));
    }

    [Fact]
    public void DeleteGroupsAnswersOnceTheTombstonesAreWritten()
    {
        var harness = new GroupHarness();
        harness.Send(1, 2, Commit("a", -1, "", ("orders", 0, 9)));
        harness.Send(1, 2, Commit("b", -1, "", ("orders", 0, 9)));
        Assert.NotEqual(harness.Coordinator.PartitionFor("a"), harness.Coordinator.PartitionFor("b"));
        harness.Appender.Hold = true;

        Assert.Empty(harness.Send(9, 1, new DeleteGroupsRequest { GroupsNames = ["a", "b"] }));
        var answered = harness.Release().For<DeleteGroupsResponse>(9);

        Assert.Equal([ErrorCode.None, ErrorCode.None], answered.Results.Select(result => Error(result.ErrorCode)));
    }

    [Fact]
    public void OffsetDeleteSparesTopicsTheConsumersSubscribeTo()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g");
        harness.Send(1, 7, Commit("g", 1, leader.MemberId, ("orders", 0, 5), ("payments", 0, 6)));
        var request = new OffsetDeleteRequest
        {
            GroupId = "g",
            Topics =
            [
                new() { Name = "orders", Partitions = [new() { PartitionIndex = 0 }] },
                new() { Name = "payments", Partitions = [new() { PartitionIndex = 0 }] },
                new() { Name = "no-such-topic", Partitions = [new() { PartitionIndex = 0 }] },
            ],
        };

        var response = harness.Send(9, 0, request).For<OffsetDeleteResponse>(9);

        Assert.Equal(ErrorCode.None, Error(response.ErrorCode));
        Assert.Equal([ErrorCode.GroupSubscribedToTopic, ErrorCode.None, ErrorCode.UnknownTopicOrPartition], response.Topics.Select(topic => Error(topic.Partitions[0].ErrorCode)));
        var fetched = harness.Send(1, 5, Fetch("g", ("orders", [0]), ("payments", [0]))).For<OffsetFetchResponse>(1);
        Assert.Equal((5L, -1L), (OffsetOf(fetched, "orders", 0), OffsetOf(fetched, "payments", 0)));
        harness.Restart();
        Assert.Equal(-1, OffsetOf(harness.Send(1, 5, Fetch("g", ("payments", [0]))).For<OffsetFetchResponse>(1), "payments", 0));
    }

    [Fact]
    public void OffsetDeleteOfAnUnknownGroupIsNotFound()
    {
        var harness = new GroupHarness();

        var response = harness.Send(9, 0, new OffsetDeleteRequest { GroupId = "never-seen" }).For<OffsetDeleteResponse>(9);

        Assert.Equal(ErrorCode.GroupIdNotFound, Error(response.ErrorCode));
    }

    [Fact]
    public void DescribeShowsMembersAndTheirAssignmentsOnceStable()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g");

        var described = harness.Send(9, 4, new DescribeGroupsRequest { Groups = ["g", "never-seen"], IncludeAuthorizedOperations = true }).For<DescribeGroupsResponse>(9);

        DescribeGroupsResponse.DescribedGroup group = described.Groups[0];
        Assert.Equal(("Stable", "consumer", "range"), (group.GroupState, group.ProtocolType, group.ProtocolData));
        Assert.Equal([leader.MemberId, follower.MemberId], group.Members.Select(member => member.MemberId));
        Assert.Equal(("follower", "/10.0.0.2"), (group.Members[1].ClientId, group.Members[1].ClientHost));
        Assert.Equal(Subscription("orders"), group.Members[1].MemberMetadata.ToArray());
        Assert.Equal([("orders", new[] { 2, 3 })], ReadAssignment(group.Members[1].MemberAssignment));
        Assert.Equal(328, group.AuthorizedOperations);
        Assert.Equal(("Dead", ErrorCode.None), (described.Groups[1].GroupState, Error(described.Groups[1].ErrorCode)));
    }

    [Fact]
    public void DescribeDuringARebalanceHidesMetadataAndAssignments()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g");
        leader.SendJoin();

        var group = harness.Send(9, 2, new DescribeGroupsRequest { Groups = ["g"] }).For<DescribeGroupsResponse>(9).Groups[0];

        Assert.Equal(("PreparingRebalance", ""), (group.GroupState, group.ProtocolData));
        Assert.All(group.Members, member => Assert.True(member.MemberMetadata.IsEmpty && member.MemberAssignment.IsEmpty));
    }

    [Fact]
    public void ListGroupsFiltersByStateAndType()
    {
        var harness = new GroupHarness();
        GroupFlows.StableGroup(harness, "stable");
        harness.Send(1, 2, Commit("simple", -1, "", ("orders", 0, 9)));

        var all = harness.Send(9, 2, new ListGroupsRequest()).For<ListGroupsResponse>(9);
        var stable = harness.Send(9, 4, new ListGroupsRequest { StatesFilter = ["STABLE"] }).For<ListGroupsResponse>(9);
        var consumerType = harness.Send(9, 5, new ListGroupsRequest { TypesFilter = ["consumer"] }).For<ListGroupsResponse>(9);

        Assert.Equal([("simple", "", "Empty"), ("stable", "consumer", "Stable")], all.Groups.Select(group => (group.GroupId, group.ProtocolType, group.GroupState)));
        Assert.Equal(["stable"], stable.Groups.Select(group => group.GroupId));
        Assert.Empty(consumerType.Groups);
    }
}
