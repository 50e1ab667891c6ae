using Reference.Core.Groups;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Groups.GroupRequests;

namespace Reference.Core.Tests.Groups;

/// <summary>KIP-345: static members (group.instance.id) restart without making the group rebalance.</summary>
public sealed class StaticMembershipTests
{
    [Fact]
    public void AStaticMemberRestartingWithNothingChangedResumesWithoutARebalance()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g", leaderInstance: "leader-1", followerInstance: "follower-1");
        string oldMemberId = follower.MemberId;
        int appendsBefore = harness.Appender.Appends;

        // The follower restarts: a new process, no member id, the same instance id (and, static, no KIP-394 round trip).
        var restarted = new TestMember(harness, 3, "g", "follower", "follower-1");
        var resumed = restarted.Observe(restarted.SendJoin())!;

        Assert.Equal(ErrorCode.None, Error(resumed.ErrorCode));
        Assert.NotEqual(oldMemberId, resumed.MemberId);
        Assert.StartsWith("follower-1-", resumed.MemberId);
        Assert.Equal((1, leader.MemberId), (resumed.GenerationId, resumed.Leader));
        Assert.Equal(GroupState.Stable, harness.Group("g").State);
        Assert.Equal(appendsBefore + 1, harness.Appender.Appends);
        // It gets its old assignment back, and the old id is fenced.
        var synced = restarted.Sync().For<SyncGroupResponse>(3);
        Assert.Equal([("orders", new[] { 2, 3 })], ReadAssignment(synced.Assignment));
        Assert.Equal(ErrorCode.FencedInstanceId, Error(follower.Heartbeat().ErrorCode));
        Assert.Equal(ErrorCode.None, Error(leader.Heartbeat().ErrorCode));
    }

    [Fact]
    public void ARestartedStaticLeaderIsNotToldToAssignUnlessItSpeaksKip814()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g", leaderInstance: "leader-1", followerInstance: "follower-1");

        var restarted = new TestMember(harness, 3, "g", "leader", "leader-1");
        var v5 = restarted.SendJoin().For<JoinGroupResponse>(3);
        Assert.Equal(leader.MemberId, v5.Leader); // the old id: the new one does not think it leads
        Assert.False(v5.SkipAssignment);

        var again = new TestMember(harness, 4, "g", "leader", "leader-1") { JoinVersion = 9 };
        var v9 = again.SendJoin().For<JoinGroupResponse>(4);
        Assert.Equal((v9.MemberId, true), (v9.Leader, v9.SkipAssignment));
        Assert.Equal(2, v9.Members.Count);
        Assert.Equal(GroupState.Stable, harness.Group("g").State);
    }

    [Fact]
    public void AStaticMemberRestartingWithAnotherProtocolMakesTheGroupRebalance()
    {
        var harness = new GroupHarness();
        var solo = new TestMember(harness, 1, "g", "solo", "solo-1");
        solo.Join();
        solo.Observe(harness.RunUntilAnswered(1));
        solo.Sync((solo.MemberId, Assignment("orders", 0)));

        // It now prefers roundrobin, so the group's vote would change: the group must rebalance to keep
        // assignment and protocol consistent. Alone in the group, it completes the rebalance itself.
        var restarted = new TestMember(harness, 2, "g", "solo", "solo-1") { Protocols = [("roundrobin", Subscription("orders")), ("range", Subscription("orders"))] };
        var rejoined = restarted.Observe(restarted.SendJoin())!;

        Assert.Equal((2, "roundrobin"), (rejoined.GenerationId, rejoined.ProtocolName));
        Assert.Equal(GroupState.CompletingRebalance, harness.Group("g").State);
    }

    [Fact]
    public void AStaticMemberSurvivesARebalanceItMissesButNotItsSession()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g", leaderInstance: "leader-1", followerInstance: "follower-1");

        Assert.Empty(leader.SendJoin());
        // The follower keeps its session alive but does not rejoin.
        var completed = new List<Reference.Core.Node.NodeEffect.Respond>();
        while (!completed.AnyFor(leader.Connection))
        {
            completed.AddRange(harness.RunFor(5_000));
            follower.Heartbeat();
        }

        // The follower did not rejoin within the rebalance timeout but, static, it is kept in the generation.
        var rejoined = leader.Observe(completed)!;
        Assert.Equal(2, rejoined.Members.Count);
        Assert.Contains(follower.MemberId, harness.Group("g").Members.Select(member => member.MemberId));
        // Until its session runs out.
        leader.Sync((leader.MemberId, Assignment("orders", 0)), (follower.MemberId, Assignment("orders", 1)));
        harness.RunFor(GroupHarness.SessionTimeoutMs);
        Assert.DoesNotContain(follower.MemberId, harness.Group("g").Members.Select(member => member.MemberId));
    }

    [Fact]
    public void AnAdminRemovesAStaticMemberByInstanceIdAlone()
    {
        var harness = new GroupHarness();
        GroupFlows.StableGroup(harness, "g", leaderInstance: "leader-1", followerInstance: "follower-1");

        var left = harness.Send(9, 3, Leave("g", ("", "follower-1"), ("", "nobody"))).For<LeaveGroupResponse>(9);

        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId], left.Members.Select(member => Error(member.ErrorCode)));
        Assert.Single(harness.Group("g").Members);
    }

    [Fact]
    public void ADuplicateInstanceIsFencedEverywhere()
    {
        var harness = new GroupHarness();
        var (_, follower) = GroupFlows.StableGroup(harness, "g", leaderInstance: "leader-1", followerInstance: "follower-1");

        Assert.Equal(ErrorCode.FencedInstanceId, Error(harness.Send(9, 5, Join("g", "someone-else", "follower-1")).For<JoinGroupResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.FencedInstanceId, Error(harness.Send(9, 3, Sync("g", 1, "someone-else", "follower-1")).For<SyncGroupResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.FencedInstanceId, Error(harness.Send(9, 3, Heartbeat("g", 1, "someone-else", "follower-1")).For<HeartbeatResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.FencedInstanceId, Error(harness.Send(9, 3, Leave("g", ("someone-else", "follower-1"))).For<LeaveGroupResponse>(9).Members[0].ErrorCode));
        var commit = Commit("g", 1, "someone-else", ("orders", 0, 5));
        commit.GroupInstanceId = "follower-1";
        Assert.Equal(ErrorCode.FencedInstanceId, Error(harness.Send(9, 7, commit).For<OffsetCommitResponse>(9).Topics[0].Partitions[0].ErrorCode));
        Assert.Equal(ErrorCode.None, Error(follower.Heartbeat().ErrorCode));
    }

    [Fact]
    public void IfTheNewIdCannotBePersistedTheOldOneStaysValid()
    {
        var harness = new GroupHarness();
        var (_, follower) = GroupFlows.StableGroup(harness, "g", leaderInstance: "leader-1", followerInstance: "follower-1");
        harness.Appender.FailWith = (short)ErrorCode.NotEnoughReplicas;

        var failed = harness.Send(3, 5, Join("g", instanceId: "follower-1")).For<JoinGroupResponse>(3);

        Assert.Equal(ErrorCode.CoordinatorNotAvailable, Error(failed.ErrorCode));
        Assert.Equal(ErrorCode.None, Error(follower.Heartbeat().ErrorCode));
        Assert.Contains(follower.MemberId, harness.Group("g").Members.Select(member => member.MemberId));
    }
}
