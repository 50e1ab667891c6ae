using System.Text.RegularExpressions;
using Reference.Core.Groups;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Groups.GroupRequests;

namespace Reference.Core.Tests.Groups;

public sealed partial class JoinGroupTests
{
    [GeneratedRegex("^rdkafka-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex KafkaShapedMemberId();

    [Fact]
    public void AMemberWithoutAnIdIsToldItsIdAndJoinsWithIt()
    {
        var harness = new GroupHarness();

        var first = harness.Send(1, 5, Join("g"), clientId: "rdkafka").For<JoinGroupResponse>(1);

        Assert.Equal(ErrorCode.MemberIdRequired, Error(first.ErrorCode));
        Assert.Matches(KafkaShapedMemberId(), first.MemberId);
        Assert.Equal(-1, first.GenerationId);
        Assert.Equal(1, harness.Group("g").PendingMemberCount);

        var parked = harness.Send(1, 5, Join("g", first.MemberId), clientId: "rdkafka");
        Assert.Empty(parked);
        var joined = harness.RunFor(GroupHarness.InitialDelayMs).For<JoinGroupResponse>(1);

        Assert.Equal(ErrorCode.None, Error(joined.ErrorCode));
        Assert.Equal((first.MemberId, first.MemberId, 1, "range"), (joined.MemberId, joined.Leader, joined.GenerationId, joined.ProtocolName));
        Assert.Equal([first.MemberId], joined.Members.Select(member => member.MemberId));
        Assert.Equal(GroupState.CompletingRebalance, harness.Group("g").State);
    }

    [Fact]
    public void AMemberToldItsIdThatNeverReturnsIsForgottenAfterItsSessionTimeout()
    {
        var harness = new GroupHarness();
        harness.Send(1, 5, Join("g"));

        harness.RunFor(GroupHarness.SessionTimeoutMs - 1);
        Assert.Equal(1, harness.Group("g").PendingMemberCount);
        harness.RunFor(1);

        Assert.Equal(0, harness.Group("g").PendingMemberCount);
    }

    [Fact]
    public void BeforeVersion4AMemberWithoutAnIdJoinsAtOnce()
    {
        var harness = new GroupHarness();

        Assert.Empty(harness.Send(1, 3, Join("g")));
        var joined = harness.RunFor(GroupHarness.InitialDelayMs).For<JoinGroupResponse>(1);

        Assert.Equal(ErrorCode.None, Error(joined.ErrorCode));
        Assert.StartsWith("client-", joined.MemberId);
        Assert.Equal(1, joined.GenerationId);
    }

    [Fact]
    public void TwoMembersJoinTheFirstLeadsAndEachReceivesItsOwnAssignment()
    {
        var harness = new GroupHarness();
        var alice = new TestMember(harness, 1, "g");
        var bob = new TestMember(harness, 2, "g");
        alice.Join();
        bob.Join();

        var completed = harness.RunUntilAnswered(alice.Connection);
        var aliceJoined = alice.Observe(completed)!;
        var bobJoined = bob.Observe(completed)!;

        Assert.Equal((1, 1), (aliceJoined.GenerationId, bobJoined.GenerationId));
        Assert.True(alice.IsLeader);
        Assert.Equal(alice.MemberId, bob.LeaderId);
        Assert.Equal([alice.MemberId, bob.MemberId], aliceJoined.Members.Select(member => member.MemberId));
        Assert.Empty(bobJoined.Members);
        Assert.Equal(Subscription("orders"), aliceJoined.Members[1].Metadata.ToArray());

        Assert.Empty(bob.Sync());
        var synced = alice.Sync((alice.MemberId, Assignment("orders", 0, 1)), (bob.MemberId, Assignment("orders", 2, 3)));

        Assert.Equal([("orders", new[] { 0, 1 })], ReadAssignment(synced.For<SyncGroupResponse>(1).Assignment));
        Assert.Equal([("orders", new[] { 2, 3 })], ReadAssignment(synced.For<SyncGroupResponse>(2).Assignment));
        Assert.Equal(GroupState.Stable, harness.Group("g").State);
        Assert.Equal(ErrorCode.None, Error(bob.Heartbeat().ErrorCode));
    }

    [Fact]
    public void KafkajsAndLibrdkafkaCannotShareAGroup()
    {
        var harness = new GroupHarness();
        var librdkafka = new TestMember(harness, 1, "g") { Protocols = [("range", Subscription("orders")), ("roundrobin", Subscription("orders"))] };
        librdkafka.Join();

        var kafkajs = harness.Send(2, 5, Join("g", protocols: ("RoundRobinAssigner", Subscription("orders")))).For<JoinGroupResponse>(2);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, Error(kafkajs.ErrorCode));
    }

    [Fact]
    public void AJoinWithAnotherProtocolTypeIsInconsistent()
    {
        var harness = new GroupHarness();
        new TestMember(harness, 1, "g").Join();

        var connect = harness.Send(2, 5, Join("g", protocolType: "connect")).For<JoinGroupResponse>(2);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, Error(connect.ErrorCode));
    }

    [Theory]
    [InlineData(5_999)]
    [InlineData(1_800_001)]
    public void ASessionTimeoutOutsideTheBrokersBoundsIsRefused(int sessionTimeoutMs)
    {
        var harness = new GroupHarness();

        var refused = harness.Send(1, 5, Join("g", sessionTimeoutMs: sessionTimeoutMs)).For<JoinGroupResponse>(1);

        Assert.Equal(ErrorCode.InvalidSessionTimeout, Error(refused.ErrorCode));
        Assert.False(harness.HasGroup("g"));
    }

    [Fact]
    public void AnUnknownMemberIdIsRefused()
    {
        var harness = new GroupHarness();

        Assert.Equal(ErrorCode.UnknownMemberId, Error(harness.Send(1, 5, Join("g", "ghost")).For<JoinGroupResponse>(1).ErrorCode));
        new TestMember(harness, 2, "g").Join();
        Assert.Equal(ErrorCode.UnknownMemberId, Error(harness.Send(1, 5, Join("g", "ghost")).For<JoinGroupResponse>(1).ErrorCode));
    }

    [Fact]
    public void AnEmptyGroupIdIsInvalid()
    {
        var harness = new GroupHarness();

        Assert.Equal(ErrorCode.InvalidGroupId, Error(harness.Send(1, 5, Join("")).For<JoinGroupResponse>(1).ErrorCode));
    }

    [Fact]
    public void TheProtocolEveryMemberSupportsWinsByVotes()
    {
        var harness = new GroupHarness();
        var a = new TestMember(harness, 1, "g") { Protocols = [("range", Subscription("orders")), ("roundrobin", Subscription("orders"))] };
        var b = new TestMember(harness, 2, "g") { Protocols = [("roundrobin", Subscription("orders")), ("range", Subscription("orders"))] };
        var c = new TestMember(harness, 3, "g") { Protocols = [("roundrobin", Subscription("orders")), ("range", Subscription("orders"))] };
        a.Join();
        b.Join();
        c.Join();

        var joined = harness.RunUntilAnswered(1);

        Assert.All([1, 2, 3], connection => Assert.Equal("roundrobin", joined.For<JoinGroupResponse>(connection).ProtocolName));
    }

    [Fact]
    public void AProtocolNotEveryMemberSupportsCannotWinHoweverManyVotesItHas()
    {
        var harness = new GroupHarness();
        var a = new TestMember(harness, 1, "g") { Protocols = [("sticky", Subscription("orders")), ("range", Subscription("orders"))] };
        var b = new TestMember(harness, 2, "g") { Protocols = [("sticky", Subscription("orders")), ("range", Subscription("orders"))] };
        var c = new TestMember(harness, 3, "g") { Protocols = [("range", Subscription("orders"))] };
        a.Join();
        b.Join();
        c.Join();

        var joined = harness.RunUntilAnswered(1);

        Assert.Equal("range", joined.For<JoinGroupResponse>(1).ProtocolName);
    }

    [Fact]
    public void TheInitialDelayIsExtendedWhileMembersKeepArrivingButNotBeyondTheRebalanceTimeout()
    {
        var harness = new GroupHarness();
        long startMs = harness.NowMs;
        var first = new TestMember(harness, 1, "g");
        first.Join();
        // A member arrives every 2 s, within every 3 s delay, for longer than the rebalance timeout.
        JoinGroupResponse? joined = null;
        for (int connection = 2; joined is null; connection++)
        {
            joined = first.Observe(harness.RunFor(2_000));
            if (joined is null) new TestMember(harness, connection, "g").Join();
            Assert.True(connection < 100);
        }

        // Kafka's InitialDelayedJoin: 3 s delays, each counted against the 17 s the rebalance timeout leaves
        // after the first; the last is cut to what remains, so the rebalance completes at exactly 20 s.
        Assert.Equal(startMs + GroupHarness.RebalanceTimeoutMs, harness.NowMs);
        Assert.Equal(10, joined.Members.Count);
    }

    [Fact]
    public void AGroupThatBecameEmptyWaitsTheInitialDelayOnceWithoutExtension()
    {
        var harness = new GroupHarness();
        var only = new TestMember(harness, 1, "g");
        only.Join();
        harness.RunUntilAnswered(1);
        only.Sync((only.MemberId, Assignment("orders", 0)));
        harness.Send(1, 1, Leave("g", (only.MemberId, null)));
        Assert.Equal((GroupState.Empty, 2), (harness.Group("g").State, harness.Group("g").GenerationId));

        long startMs = harness.NowMs;
        only.MemberId = "";
        only.Join();
        new TestMember(harness, 2, "g").Join();
        harness.RunUntilAnswered(1);

        Assert.Equal(startMs + GroupHarness.InitialDelayMs, harness.NowMs);
        Assert.Equal(3, harness.Group("g").GenerationId);
    }

    [Fact]
    public void WithoutAnInitialDelayTheFirstRebalanceCompletesAtTheNextWakeUp()
    {
        var harness = new GroupHarness(new GroupCoordinatorConfig { OffsetsTopicNumPartitions = GroupHarness.Partitions, GroupInitialRebalanceDelayMs = 0 });
        var first = new TestMember(harness, 1, "g");
        var second = new TestMember(harness, 2, "g");
        first.Join();
        second.Join();

        Assert.Equal(harness.NowMs, harness.Coordinator.NextDeadlineMs);
        var joined = first.Observe(harness.Advance(0))!;

        Assert.Equal(2, joined.Members.Count);
        Assert.True(harness.Coordinator.NextDeadlineMs > harness.NowMs);
    }

    [Fact]
    public void ALeaderThatRejoinsAStableGroupStartsARebalance()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g");

        Assert.Empty(leader.SendJoin());
        Assert.Equal(GroupState.PreparingRebalance, harness.Group("g").State);
        Assert.Equal(ErrorCode.RebalanceInProgress, Error(follower.Heartbeat().ErrorCode));
    }

    [Fact]
    public void AFollowerThatRejoinsUnchangedGetsTheCurrentGenerationBack()
    {
        var harness = new GroupHarness();
        var (_, follower) = GroupFlows.StableGroup(harness, "g");

        var again = follower.SendJoin().For<JoinGroupResponse>(follower.Connection);

        Assert.Equal((ErrorCode.None, 1), (Error(again.ErrorCode), again.GenerationId));
        Assert.Equal(GroupState.Stable, harness.Group("g").State);
    }

    [Fact]
    public void TheGroupMaxSizeBoundsMembers()
    {
        var harness = new GroupHarness(new GroupCoordinatorConfig { OffsetsTopicNumPartitions = GroupHarness.Partitions, GroupMaxSize = 2 });
        new TestMember(harness, 1, "g").Join();
        new TestMember(harness, 2, "g").Join();
        harness.RunUntilAnswered(1);

        var third = new TestMember(harness, 3, "g");
        var refused = third.Join().For<JoinGroupResponse>(3);

        Assert.Equal(ErrorCode.GroupMaxSizeReached, Error(refused.ErrorCode));
        Assert.Equal(2, harness.Group("g").Members.Count);
    }
}
