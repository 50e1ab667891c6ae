using Reference.Core.Groups;

namespace Reference.Core.Tests.Groups;

/// <summary>Multi-step setups several tests start from.</summary>
internal static class GroupFlows
{
    /// <summary>Two consumers join and get generation 1; the first leads. Nobody has synced yet (CompletingRebalance).</summary>
    public static (TestMember Leader, TestMember Follower) JoinedGroup(GroupHarness harness, string groupId, string? leaderInstance = null, string? followerInstance = null)
    {
        var leader = new TestMember(harness, 1, groupId, "leader", leaderInstance);
        var follower = new TestMember(harness, 2, groupId, "follower", followerInstance);
        leader.Join();
        follower.Join();
        var joined = harness.RunUntilAnswered(leader.Connection);
        leader.Observe(joined);
        follower.Observe(joined);
        Assert.True(leader.IsLeader);
        Assert.Equal(GroupState.CompletingRebalance, harness.Group(groupId).State);
        return (leader, follower);
    }

    /// <summary>As <see cref="JoinedGroup"/>, then the leader hands out "orders" 0-1 and 2-3; the group is Stable in generation 1.</summary>
    public static (TestMember Leader, TestMember Follower) StableGroup(GroupHarness harness, string groupId, string? leaderInstance = null, string? followerInstance = null)
    {
        (TestMember leader, TestMember follower) = JoinedGroup(harness, groupId, leaderInstance, followerInstance);
        follower.Sync();
        leader.Sync((leader.MemberId, GroupRequests.Assignment("orders", 0, 1)), (follower.MemberId, GroupRequests.Assignment("orders", 2, 3)));
        Assert.Equal(GroupState.Stable, harness.Group(groupId).State);
        return (leader, follower);
    }
}
