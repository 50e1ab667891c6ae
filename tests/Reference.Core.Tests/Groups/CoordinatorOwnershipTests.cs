using Reference.Core.Groups;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using static Reference.Core.Tests.Groups.GroupRequests;

namespace Reference.Core.Tests.Groups;

/// <summary>A group is served only while this node leads its __consumer_offsets partition.</summary>
public sealed class CoordinatorOwnershipTests
{
    [Fact]
    public void AGroupWhosePartitionIsNotLedHereIsAnotherCoordinators()
    {
        var harness = new GroupHarness(lead: false);

        Assert.Equal(ErrorCode.NotCoordinator, Error(harness.Send(1, 5, Join("g")).For<JoinGroupResponse>(1).ErrorCode));
        Assert.Equal(ErrorCode.NotCoordinator, Error(harness.Send(1, 3, Heartbeat("g", 1, "m")).For<HeartbeatResponse>(1).ErrorCode));
        Assert.Equal(ErrorCode.NotCoordinator, Error(harness.Send(1, 7, Commit("g", -1, "", ("orders", 0, 1))).For<OffsetCommitResponse>(1).Topics[0].Partitions[0].ErrorCode));
        Assert.Equal(ErrorCode.NotCoordinator, Error(harness.Send(1, 1, new DeleteGroupsRequest { GroupsNames = ["g"] }).For<DeleteGroupsResponse>(1).Results[0].ErrorCode));
        Assert.Null(harness.Coordinator.NextDeadlineMs);
    }

    [Fact]
    public void LosingThePartitionAnswersWaitingMembersNotCoordinatorAndDropsTheGroup()
    {
        var harness = new GroupHarness();
        new TestMember(harness, 1, "g").Join();
        int partition = harness.Coordinator.PartitionFor("g");
        var others = Enumerable.Range(0, GroupHarness.Partitions).Where(p => p != partition).Select(p => new LedOffsetsPartition(p, 0)).ToList();

        var unloaded = harness.Step(effects => harness.Coordinator.OnPartitionsLed(others, harness.NowMs, effects));

        Assert.Equal(ErrorCode.NotCoordinator, Error(unloaded.For<JoinGroupResponse>(1).ErrorCode));
        Assert.False(harness.HasGroup("g"));
        Assert.Equal(ErrorCode.NotCoordinator, Error(harness.Send(1, 5, Join("g")).For<JoinGroupResponse>(1).ErrorCode));
    }

    [Fact]
    public void ANewLeaderEpochReloadsThePartition()
    {
        var harness = new GroupHarness();
        harness.Send(1, 2, Commit("g", -1, "", ("orders", 0, 1)));
        int partition = harness.Coordinator.PartitionFor("g");
        // Another leader wrote to the partition while this node did not lead it.
        var batch = new RecordBatchBuilder(new RecordBatchOptions());
        GroupRecords.AppendOffsetCommit(batch, "g", new TopicPartition("orders", 0), new CommittedOffset(77, -1, "", harness.NowMs, null, 0), harness.NowMs);
        harness.Appender.AppendAsLeader(new TopicPartition(OffsetsTopic.Name, partition), batch.Build(), harness.NowMs, new Effects(), (_, _) => { });

        harness.LeadAll(leaderEpoch: 1);

        Assert.Equal(77, OffsetOf(harness.Send(1, 5, Fetch("g", ("orders", [0]))).For<OffsetFetchResponse>(1), "orders", 0));
        Assert.Equal(1, harness.Coordinator.LedPartitions[partition]);
    }

    [Fact]
    public void LoadingSkipsRecordsOfUnknownVersionsAndReportsThem()
    {
        var harness = new GroupHarness();
        int partition = harness.Coordinator.PartitionFor("g");
        var batch = new RecordBatchBuilder(new RecordBatchOptions()).Append(harness.NowMs, new byte[] { 0, 42 }, new byte[] { 1 });
        harness.Appender.AppendAsLeader(new TopicPartition(OffsetsTopic.Name, partition), batch.Build(), harness.NowMs, new Effects(), (_, _) => { });
        harness.Send(1, 2, Commit("g", -1, "", ("orders", 0, 1)));

        harness.Restart();

        GroupPartitionLoad load = harness.Coordinator.Loads[partition];
        Assert.Equal((2, 2, 1, 1), (load.Batches, load.Records, load.Groups, load.UnknownRecords));
        Assert.True(harness.HasGroup("g"));
    }

    [Fact]
    public void ACommitCompletingAfterThePartitionMovedIsAnsweredButNotApplied()
    {
        var harness = new GroupHarness();
        harness.Appender.Hold = true;
        harness.Send(1, 2, Commit("g", -1, "", ("orders", 0, 1)));
        harness.Step(effects => harness.Coordinator.OnPartitionsLed([], harness.NowMs, effects));

        var released = harness.Release();

        Assert.Equal(ErrorCode.None, Error(released.For<OffsetCommitResponse>(1).Topics[0].Partitions[0].ErrorCode));
        Assert.Empty(harness.Coordinator.Snapshot());
    }
}
