using Reference.Core.Groups;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Groups.GroupRequests;

namespace Reference.Core.Tests.Groups;

public sealed class OffsetCommitTests
{
    private static ErrorCode[] Errors(OffsetCommitResponse response) =>
        response.Topics.SelectMany(topic => topic.Partitions).Select(partition => Error(partition.ErrorCode)).ToArray();

    [Fact]
    public void CommittedOffsetsSurviveANewCoordinatorLoadingTheLog()
    {
        var harness = new GroupHarness();
        var (leader, follower) = GroupFlows.StableGroup(harness, "g");
        var committed = harness.Send(1, 7, Commit("g", 1, leader.MemberId, ("orders", 0, 100), ("orders", 1, 101))).For<OffsetCommitResponse>(1);
        harness.Send(2, 7, Commit("g", 1, follower.MemberId, ("orders", 2, 200), ("orders", 2, 202)));
        harness.Send(3, 2, Commit("simple", -1, "", ("payments", 5, 55)));
        Assert.Equal([ErrorCode.None, ErrorCode.None], Errors(committed));

        harness.Restart();

        var fetched = harness.Send(1, 5, Fetch("g", ("orders", [0, 1, 2, 3]))).For<OffsetFetchResponse>(1);
        Assert.Equal([100L, 101, 202, -1], fetched.Topics[0].Partitions.Select(partition => partition.CommittedOffset));
        Assert.Equal(["m100", "m101", "m202", ""], fetched.Topics[0].Partitions.Select(partition => partition.Metadata));
        Assert.Equal(55, OffsetOf(harness.Send(1, 5, Fetch("simple", ("payments", [5]))).For<OffsetFetchResponse>(1), "payments", 5));
        // The group itself came back: Stable in generation 1, with its members and assignments.
        GroupSnapshot group = harness.Group("g");
        Assert.Equal((GroupState.Stable, 1, leader.MemberId), (group.State, group.GenerationId, group.LeaderId));
        Assert.Equal([("orders", new[] { 2, 3 })], ReadAssignment(group.Members[1].Assignment));
        Assert.Equal(ErrorCode.None, Error(follower.Heartbeat().ErrorCode));
        Assert.Equal(GroupState.Empty, harness.Group("simple").State);
    }

    [Fact]
    public void FetchingAllOffsetsListsThemByTopicAndPartition()
    {
        var harness = new GroupHarness();
        harness.Send(1, 2, Commit("simple", -1, "", ("payments", 1, 11), ("orders", 3, 3), ("orders", 0, 0)));

        var all = harness.Send(1, 7, Fetch("simple", null)).For<OffsetFetchResponse>(1);

        Assert.Equal(["orders", "payments"], all.Topics.Select(topic => topic.Name));
        Assert.Equal([0, 3], all.Topics[0].Partitions.Select(partition => partition.PartitionIndex));
    }

    [Fact]
    public void OffsetFetchV8AnswersForSeveralGroups()
    {
        var harness = new GroupHarness();
        harness.Send(1, 2, Commit("a", -1, "", ("orders", 0, 7)));
        var request = new OffsetFetchRequest
        {
            Groups =
            [
                new() { GroupId = "a", Topics = [new() { Name = "orders", PartitionIndexes = [0, 1] }] },
                new() { GroupId = "never-seen", Topics = null },
            ],
        };

        var response = harness.Send(1, 8, request).For<OffsetFetchResponse>(1);

        Assert.Equal(["a", "never-seen"], response.Groups.Select(group => group.GroupId));
        Assert.Equal([7L, -1], response.Groups[0].Topics[0].Partitions.Select(partition => partition.CommittedOffset));
        Assert.Empty(response.Groups[1].Topics);
    }

    [Fact]
    public void ACommitWithAStaleGenerationIsRefused()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g");

        var stale = harness.Send(1, 7, Commit("g", 0, leader.MemberId, ("orders", 0, 5))).For<OffsetCommitResponse>(1);

        Assert.Equal([ErrorCode.IllegalGeneration], Errors(stale));
        Assert.Equal(-1, OffsetOf(harness.Send(1, 5, Fetch("g", ("orders", [0]))).For<OffsetFetchResponse>(1), "orders", 0));
    }

    [Fact]
    public void CommitsAreCheckedAgainstTheGroupAsKafkaChecksThem()
    {
        var harness = new GroupHarness();
        var (leader, _) = GroupFlows.StableGroup(harness, "g");

        Assert.Equal([ErrorCode.UnknownMemberId], Errors(harness.Send(9, 7, Commit("g", 1, "ghost", ("orders", 0, 5))).For<OffsetCommitResponse>(9)));
        // Without member and generation, a group with members refuses the commit.
        Assert.Equal([ErrorCode.UnknownMemberId], Errors(harness.Send(9, 0, Commit("g", -1, "", ("orders", 0, 5))).For<OffsetCommitResponse>(9)));
        // A generation for a group that does not exist comes from an older life of it.
        Assert.Equal([ErrorCode.IllegalGeneration], Errors(harness.Send(9, 7, Commit("gone", 3, "m", ("orders", 0, 5))).For<OffsetCommitResponse>(9)));
        Assert.Equal([ErrorCode.UnknownTopicOrPartition, ErrorCode.None], Errors(harness.Send(1, 7, Commit("g", 1, leader.MemberId, ("no-such-topic", 0, 5), ("orders", 0, 5))).For<OffsetCommitResponse>(1)));
    }

    [Fact]
    public void ACommitBetweenJoinAndSyncIsAskedToWait()
    {
        var harness = new GroupHarness();
        var member = new TestMember(harness, 1, "g");
        member.Join();
        member.Observe(harness.RunUntilAnswered(1));

        var early = harness.Send(1, 7, Commit("g", 1, member.MemberId, ("orders", 0, 5))).For<OffsetCommitResponse>(1);

        Assert.Equal([ErrorCode.RebalanceInProgress], Errors(early));
    }

    [Fact]
    public void ACommitIsAnsweredAndVisibleOnlyOnceTheLogHoldsIt()
    {
        var harness = new GroupHarness();
        harness.Appender.Hold = true;

        Assert.Empty(harness.Send(1, 2, Commit("simple", -1, "", ("orders", 0, 9))));
        Assert.Equal(-1, OffsetOf(harness.Send(2, 5, Fetch("simple", ("orders", [0]))).For<OffsetFetchResponse>(2), "orders", 0));
        var released = harness.Release();

        Assert.Equal([ErrorCode.None], Errors(released.For<OffsetCommitResponse>(1)));
        Assert.Equal(9, OffsetOf(harness.Send(2, 5, Fetch("simple", ("orders", [0]))).For<OffsetFetchResponse>(2), "orders", 0));
    }

    [Theory]
    [InlineData(ErrorCode.NotLeaderOrFollower, ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.NotEnoughReplicas, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.MessageTooLarge, ErrorCode.InvalidCommitOffsetSize)]
    [InlineData(ErrorCode.RequestTimedOut, ErrorCode.RequestTimedOut)]
    public void AFailedWriteIsAnsweredWithKafkasErrorAndChangesNothing(ErrorCode appendError, ErrorCode answered)
    {
        var harness = new GroupHarness();
        harness.Appender.FailWith = (short)appendError;

        var failed = harness.Send(1, 2, Commit("simple", -1, "", ("orders", 0, 9))).For<OffsetCommitResponse>(1);

        Assert.Equal([answered], Errors(failed));
        harness.Appender.FailWith = 0;
        Assert.Equal(-1, OffsetOf(harness.Send(2, 5, Fetch("simple", ("orders", [0]))).For<OffsetFetchResponse>(2), "orders", 0));
    }

    [Fact]
    public void MetadataLongerThanTheLimitIsRefusedForThatPartitionOnly()
    {
        var harness = new GroupHarness(new GroupCoordinatorConfig { OffsetsTopicNumPartitions = GroupHarness.Partitions, OffsetMetadataMaxBytes = 3 });
        var request = Commit("simple", -1, "", ("orders", 0, 1), ("orders", 1, 1000));

        var response = harness.Send(1, 2, request).For<OffsetCommitResponse>(1);

        Assert.Equal([ErrorCode.None, ErrorCode.OffsetMetadataTooLarge], Errors(response));
    }

    [Fact]
    public void OffsetFetchV1CarriesACoordinatorErrorOnEveryPartition()
    {
        var harness = new GroupHarness(lead: false);

        var v1 = harness.Send(1, 1, Fetch("g", ("orders", [0, 1]))).For<OffsetFetchResponse>(1);
        var v5 = harness.Send(1, 5, Fetch("g", ("orders", [0, 1]))).For<OffsetFetchResponse>(1);

        Assert.Equal([ErrorCode.NotCoordinator, ErrorCode.NotCoordinator], v1.Topics[0].Partitions.Select(partition => Error(partition.ErrorCode)));
        Assert.Equal(ErrorCode.NotCoordinator, Error(v5.ErrorCode));
        Assert.Empty(v5.Topics);
    }

    [Fact]
    public void OffsetsOfAnEmptyGroupExpireAfterTheRetentionAndTheGroupGoes()
    {
        var config = new GroupCoordinatorConfig { OffsetsTopicNumPartitions = GroupHarness.Partitions, OffsetsRetentionMs = 60_000, OffsetsRetentionCheckIntervalMs = 10_000 };
        var harness = new GroupHarness(config);
        harness.Send(1, 2, Commit("simple", -1, "", ("orders", 0, 9)));

        harness.RunFor(50_000);
        Assert.True(harness.HasGroup("simple"));
        harness.RunFor(20_000);

        Assert.False(harness.HasGroup("simple"));
        harness.Restart();
        Assert.False(harness.HasGroup("simple"));
    }
}
