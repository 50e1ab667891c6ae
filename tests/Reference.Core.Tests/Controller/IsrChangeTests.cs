using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Tests.Controller;

public sealed class IsrChangeTests
{
    private readonly ControllerHarness _harness = new();
    private readonly Dictionary<int, long> _epochs;
    private readonly Uuid _topicId;
    private readonly PartitionRegistration _partition;

    public IsrChangeTests()
    {
        _epochs = _harness.RegisterUnfencedBrokers(1, 2, 3);
        var request = ControllerHarness.CreateTopics(("t", -1, -1));
        request.Topics[0].Assignments = [new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [1, 2, 3] }];
        _topicId = _harness.Call<CreateTopicsResponse>(request).Topics[0].TopicId;
        _partition = _harness.Committed.Topic("t")!.Partitions[0];
    }

    private AlterPartitionRequest Alter(int brokerId, int[] newIsr, int? leaderEpoch = null, int? partitionEpoch = null) => new()
    {
        BrokerId = brokerId,
        BrokerEpoch = _epochs[brokerId],
        Topics =
        [
            new AlterPartitionRequest.TopicData
            {
                TopicId = _topicId,
                TopicName = "t",
                Partitions =
                [
                    new AlterPartitionRequest.PartitionData
                    {
                        PartitionIndex = 0,
                        LeaderEpoch = leaderEpoch ?? _partition.LeaderEpoch,
                        PartitionEpoch = partitionEpoch ?? _partition.PartitionEpoch,
                        NewIsr = [.. newIsr],
                        NewIsrWithEpochs = [.. newIsr.Select(id => new AlterPartitionRequest.BrokerState { BrokerId = id, BrokerEpoch = _epochs[id] })],
                    },
                ],
            },
        ],
    };

    private AlterPartitionResponse.PartitionData Call(AlterPartitionRequest request, short? version = null)
    {
        var answer = _harness.Call<AlterPartitionResponse>(request, version);
        Assert.Equal((short)ErrorCode.None, answer.ErrorCode);
        return answer.Topics[0].Partitions[0];
    }

    [Fact]
    public void TheLeaderShrinksTheIsrWithoutAChangeOfLeaderEpoch()
    {
        var result = Call(Alter(1, [1, 2]));

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal((1, 0, 1), (result.LeaderId, result.LeaderEpoch, result.PartitionEpoch));
        Assert.Equal([1, 2], result.Isr);
        PartitionRegistration after = _harness.Committed.Topic("t")!.Partitions[0];
        Assert.Equal([1, 2], after.Isr.ToArray());
        Assert.Equal((0, 1), (after.LeaderEpoch, after.PartitionEpoch));
    }

    [Fact]
    public void AChangeBuiltOnAnOlderPartitionEpochIsRefused()
    {
        Call(Alter(1, [1, 2]));

        Assert.Equal((short)ErrorCode.InvalidUpdateVersion, Call(Alter(1, [1])).ErrorCode);
    }

    [Fact]
    public void OnlyTheLeaderAtItsLeaderEpochMayChangeTheIsr()
    {
        Assert.Equal((short)ErrorCode.InvalidRequest, Call(Alter(2, [1, 2])).ErrorCode);
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, Call(Alter(1, [1, 2], leaderEpoch: -1)).ErrorCode);
        Assert.Equal((short)ErrorCode.NotController, Call(Alter(1, [1, 2], leaderEpoch: 5)).ErrorCode);
    }

    [Fact]
    public void TheNewIsrMustKeepTheLeaderAndHoldOnlyEligibleReplicas()
    {
        Assert.Equal((short)ErrorCode.InvalidRequest, Call(Alter(1, [2, 3])).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, Call(Alter(1, [1, 1])).ErrorCode);

        _harness.Call<BrokerHeartbeatResponse>(new BrokerHeartbeatRequest { BrokerId = 3, BrokerEpoch = _epochs[3], WantFence = true, CurrentMetadataOffset = _harness.Committed.Offset });
        PartitionRegistration now = _harness.Committed.Topic("t")!.Partitions[0];
        var expand = Alter(1, [1, 2, 3], now.LeaderEpoch, now.PartitionEpoch);
        Assert.Equal((short)ErrorCode.IneligibleReplica, Call(expand).ErrorCode);
        Assert.Equal((short)ErrorCode.OperationNotAttempted, Call(expand, version: 1).ErrorCode);
    }

    [Fact]
    public void AStaleBrokerEpochRefusesTheWholeRequest()
    {
        var request = Alter(1, [1, 2]);
        request.BrokerEpoch = 12345;

        Assert.Equal((short)ErrorCode.StaleBrokerEpoch, _harness.Call<AlterPartitionResponse>(request).ErrorCode);
    }

    [Fact]
    public void OlderVersionsNameTheTopicAndNewerOnesItsId()
    {
        var byName = Alter(1, [1, 2]);
        byName.Topics[0].TopicId = Uuid.Zero;
        Assert.Equal((short)ErrorCode.None, Call(byName, version: 1).ErrorCode);

        var unknownId = Alter(1, [1, 2]);
        unknownId.Topics[0].TopicId = new Uuid(1, 1);
        Assert.Equal((short)ErrorCode.UnknownTopicId, Call(unknownId, version: 2).ErrorCode);
    }
}
