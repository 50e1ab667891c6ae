using Reference.Core.Groups;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Groups.GroupRequests;

namespace Reference.Core.Tests.Groups;

public sealed class RebalanceTests
{
    [Fact]
    public void WhenAMemberLeavesTheSurvivorRejoinsAndGetsEverything()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g");

        var left = harness.Send(2, 1, Leave("g", (follower.MemberId, null))).For<LeaveGroupResponse>(2);
        Assert.Equal(ErrorCode.None, Error(left.ErrorCode));
        Assert.Equal(GroupState.PreparingRebalance, harness.Group("g").State);
        Assert.Equal(ErrorCode.RebalanceInProgress, Error(leader.Heartbeat().ErrorCode));

        // The only member left rejoins: nobody else is awaited, so the rebalance completes at once.
        var rejoined = leader.Observe(leader.SendJoin())!;
        Assert.Equal((2, leader.MemberId), (rejoined.GenerationId, rejoined.Leader));
        Assert.Equal([leader.MemberId], rejoined.Members.Select(member => member.MemberId));
        var synced = leader.Sync((leader.MemberId, Assignment("orders", 0, 1, 2, 3))).For<SyncGroupResponse>(1);

        Assert.Equal([("orders", new[] { 0, 1, 2, 3 })], ReadAssignment(synced.Assignment));
        Assert.Equal((GroupState.Stable, 1), (harness.Group("g").State, harness.Group("g").Members.Count));
    }

    [Fact]
    public void AMemberSilentForItsSessionTimeoutIsRemovedAndTheGroupRebalances()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g");

        // The leader heartbeats every 3 s, the follower never does.
        for (int i = 0; i < 3; i++)
        {
            harness.RunFor(3_000);
            Assert.Equal(ErrorCode.None, Error(leader.Heartbeat().ErrorCode));
        }
        harness.RunFor(3_000);
        Assert.Equal(ErrorCode.RebalanceInProgress, Error(leader.Heartbeat().ErrorCode));

        Assert.Equal([leader.MemberId], harness.Group("g").Members.Select(member => member.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, Error(follower.Heartbeat().ErrorCode));
        Assert.Equal(2, leader.Observe(leader.SendJoin())!.GenerationId);
    }

    [Fact]
    public void AMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsRemoved()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g");

        Assert.Empty(leader.SendJoin());
        // The follower keeps heartbeating but never rejoins.
        var completed = new List<Reference.Core.Node.NodeEffect.Respond>();
        for (int i = 0; i < 6 && !completed.AnyFor(leader.Connection); i++)
        {
            completed.AddRange(harness.RunFor(4_000));
            follower.Heartbeat();
        }

        var rejoined = leader.Observe(completed)!;
        Assert.Equal(2, rejoined.GenerationId);
        Assert.Equal([leader.MemberId], rejoined.Members.Select(member => member.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, Error(follower.Heartbeat().ErrorCode));
    }

    [Fact]
    public void AMemberThatNeverSyncsIsRemovedAfterTheRebalanceTimeout()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.JoinedGroup(harness, "g");
        leader.Sync((leader.MemberId, Assignment("orders", 0)), (follower.MemberId, Assignment("orders", 1)));
        Assert.Equal(GroupState.Stable, harness.Group("g").State);

        // Both heartbeat, but the follower never asks for its assignment.
        long joinedAtMs = harness.NowMs;
        while (harness.NowMs + 5_000 < joinedAtMs + GroupHarness.RebalanceTimeoutMs)
        {
            harness.RunFor(5_000);
            Assert.Equal(ErrorCode.None, Error(follower.Heartbeat().ErrorCode));
            Assert.Equal(ErrorCode.None, Error(leader.Heartbeat().ErrorCode));
        }
        harness.RunFor(5_000);

        Assert.Equal(ErrorCode.RebalanceInProgress, Error(leader.Heartbeat().ErrorCode));
        Assert.Equal(ErrorCode.UnknownMemberId, Error(follower.Heartbeat().ErrorCode));
        Assert.Equal([leader.MemberId], harness.Group("g").Members.Select(member => member.MemberId));
    }

    [Fact]
    public void HeartbeatsAreCheckedAgainstMemberAndGeneration()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g");

        Assert.Equal(ErrorCode.UnknownMemberId, Error(harness.Send(9, 3, Heartbeat("g", 1, "ghost")).For<HeartbeatResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.IllegalGeneration, Error(harness.Send(9, 3, Heartbeat("g", 0, leader.MemberId)).For<HeartbeatResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.UnknownMemberId, Error(harness.Send(9, 3, Heartbeat("nope", 1, leader.MemberId)).For<HeartbeatResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.None, Error(leader.Heartbeat().ErrorCode));
    }

    [Fact]
    public void SyncGroupIsCheckedAgainstMemberGenerationAndProtocol()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g");

        Assert.Equal(ErrorCode.UnknownMemberId, Error(harness.Send(9, 3, Sync("g", 1, "ghost")).For<SyncGroupResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.IllegalGeneration, Error(harness.Send(9, 3, Sync("g", 7, leader.MemberId)).For<SyncGroupResponse>(9).ErrorCode));
        var wrongProtocol = Sync("g", 1, leader.MemberId);
        wrongProtocol.ProtocolName = "roundrobin";
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, Error(harness.Send(9, 5, wrongProtocol).For<SyncGroupResponse>(9).ErrorCode));
        var stable = harness.Send(9, 5, Sync("g", 1, leader.MemberId)).For<SyncGroupResponse>(9);
        Assert.Equal((ErrorCode.None, "consumer", "range"), (Error(stable.ErrorCode), stable.ProtocolType, stable.ProtocolName));
        Assert.Equal([("orders", new[] { 0, 1 })], ReadAssignment(stable.Assignment));
    }

    [Fact]
    public void AFailedAssignmentWriteFailsTheSyncsAndRebalances()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.JoinedGroup(harness, "g");
        follower.Sync();
        harness.Appender.FailWith = (short)ErrorCode.NotLeaderOrFollower;

        var failed = leader.Sync((leader.MemberId, Assignment("orders", 0)), (follower.MemberId, Assignment("orders", 1)));

        Assert.Equal(ErrorCode.NotCoordinator, Error(failed.For<SyncGroupResponse>(1).ErrorCode));
        Assert.Equal(ErrorCode.NotCoordinator, Error(failed.For<SyncGroupResponse>(2).ErrorCode));
        Assert.Equal(GroupState.PreparingRebalance, harness.Group("g").State);
    }

    [Fact]
    public void AssignmentsAreHandedOutOnlyOnceTheLogHoldsThem()
    {
        var harness = new GroupHarness();
        var leader = new TestMember(harness, 1, "g");
        leader.Join();
        leader.Observe(harness.RunUntilAnswered(1));
        harness.Appender.Hold = true;

        Assert.Empty(leader.Sync((leader.MemberId, Assignment("orders", 0))));
        Assert.Equal(GroupState.CompletingRebalance, harness.Group("g").State);
        var released = harness.Release();

        Assert.Equal(ErrorCode.None, Error(released.For<SyncGroupResponse>(1).ErrorCode));
        Assert.Equal(GroupState.Stable, harness.Group("g").State);
    }

    [Fact]
    public void AJoinDuringCompletingRebalanceFailsTheWaitingSyncs()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.JoinedGroup(harness, "g");
        Assert.Empty(follower.Sync());

        var newcomer = new TestMember(harness, 3, "g");
        var step = newcomer.Join();

        Assert.Equal(ErrorCode.RebalanceInProgress, Error(step.For<SyncGroupResponse>(2).ErrorCode));
        Assert.Equal(GroupState.PreparingRebalance, harness.Group("g").State);
    }

    [Fact]
    public void LeaveGroupV3RemovesSeveralMembersAndReportsEach()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g");

        var left = harness.Send(9, 3, Leave("g", (leader.MemberId, null), (follower.MemberId, null), ("ghost", null))).For<LeaveGroupResponse>(9);

        Assert.Equal(ErrorCode.None, Error(left.ErrorCode));
        Assert.Equal([ErrorCode.None, ErrorCode.None, ErrorCode.UnknownMemberId], left.Members.Select(member => Error(member.ErrorCode)));
        Assert.Equal((GroupState.Empty, 2), (harness.Group("g").State, harness.Group("g").GenerationId));
    }

    [Fact]
    public void LeaveGroupV0ReportsTheMembersErrorAsItsOwn()
    {
        var harness = new GroupHarness();
        GroupFlows.StableGroup(harness, "g");

        Assert.Equal(ErrorCode.UnknownMemberId, Error(harness.Send(9, 0, Leave("g", ("ghost", null))).For<LeaveGroupResponse>(9).ErrorCode));
        Assert.Equal(ErrorCode.UnknownMemberId, Error(harness.Send(9, 0, Leave("unknown-group", ("ghost", null))).For<LeaveGroupResponse>(9).ErrorCode));
    }

    [Fact]
    public void AMemberLeavingBeforeItsIdIsUsedStopsTheRebalanceWaitingForIt()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g");
        string pendingId = harness.Send(5, 5, Join("g")).For<JoinGroupResponse>(5).MemberId;
        Assert.Empty(leader.SendJoin());

        harness.Send(5, 3, Leave("g", (pendingId, null)));

        Assert.Equal(0, harness.Group("g").PendingMemberCount);
    }

    [Fact]
    public void AClosedConnectionGetsNoAnswerButItsMemberStillCounts()
    {
        var harness = new GroupHarness();
        var leader = new TestMember(harness, 1, "g");
        var follower = new TestMember(harness, 2, "g");
        leader.Join();
        follower.Join();

        harness.Coordinator.OnConnectionClosed(new Reference.Core.Node.ConnectionId(2));
        var completed = harness.RunUntilAnswered(1);

        Assert.False(completed.AnyFor(2));
        Assert.Equal(2, leader.Observe(completed)!.Members.Count);
    }
}
