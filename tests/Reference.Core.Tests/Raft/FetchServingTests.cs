using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Raft;

/// <summary>The leader's side of KIP-595's Fetch: validation against the epoch cache, errors, long polling.</summary>
public sealed class FetchServingTests
{
    private const int ObserverId = 7;

    /// <summary>A sole voter whose log holds epochs 1, 1, 2, 2, 2 and which leads epoch 3 from offset 5 (its LeaderChange).</summary>
    private static ReplicaUnderTest LeaderOfEpoch3()
    {
        var leader = new ReplicaUnderTest(nodeId: 1, voterCount: 1, ReplicaUnderTest.StorageWithBatches(1, 1, 2, 2, 2));
        leader.Storage.Apply(new NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 2, leaderId: 1, votedId: 1)));
        leader.Start();
        leader.Flush();
        Assert.Equal((QuorumStateKind.Leader, 3, 6L), (leader.Replica.State, leader.Replica.Epoch, leader.Replica.LogEndOffset));
        return leader;
    }

    private static FetchRequest Fetch(long fetchOffset, int lastFetchedEpoch, int epoch = 3, int maxWaitMs = 0) =>
        WithWait(RaftMessages.FetchRequest(RaftTestCluster.ClusterId, ObserverId, epoch, fetchOffset, lastFetchedEpoch, 0), maxWaitMs);

    private static FetchRequest WithWait(FetchRequest request, int maxWaitMs)
    {
        request.MaxWaitMs = maxWaitMs;
        return request;
    }

    private static FetchResponse.PartitionData Answer(IReadOnlyList<NodeEffect> effects) =>
        ReplicaUnderTest.ResponseIn<FetchResponse>(effects).Responses[0].Partitions[0];

    private static IReadOnlyList<long> BaseOffsets(ReadOnlyMemory<byte>? records)
    {
        var offsets = new List<long>();
        var walker = new RecordBatchWalker(records ?? ReadOnlyMemory<byte>.Empty);
        while (walker.TryNext(out RecordBatchView batch)) offsets.Add(batch.Header.BaseOffset);
        return offsets;
    }

    [Fact]
    public void MatchingFetchGetsTheBatchesFromItsOffsetAndTheHighWatermark()
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        FetchResponse.PartitionData answer = Answer(leader.Receive(Fetch(fetchOffset: 2, lastFetchedEpoch: 1), RaftMessages.FetchVersion));

        Assert.Equal((short)ErrorCode.None, answer.ErrorCode);
        Assert.Null(answer.DivergingEpoch);
        Assert.Equal([2L, 3L, 4L, 5L], BaseOffsets(answer.Records));
        Assert.Equal(6, answer.HighWatermark);
        Assert.Equal((1, 3), (answer.CurrentLeader!.LeaderId, answer.CurrentLeader.LeaderEpoch));
    }

    [Fact]
    public void AnEmptyLogSaysEpochZeroAsKafkaDoesAndIsServedFromTheStart()
    {
        // Kafka's lastFetchedEpoch of an empty log is 0, and a Kafka leader refuses a negative one; our empty
        // voters once sent -1 (the golden transcripts showed it). The pre-vote of an empty voter says 0 too.
        var empty = new ReplicaUnderTest(nodeId: 2, voterCount: 3);
        empty.Start();
        IReadOnlyList<NodeEffect> asked = empty.Tick(empty.Replica.NextDeadlineMs);
        VoteRequest preVote = (VoteRequest)asked.OfType<NodeEffect.SendRequest>().First().Body;
        Assert.Equal((0L, 0), (preVote.Topics[0].Partitions[0].LastOffset, preVote.Topics[0].Partitions[0].LastOffsetEpoch));

        ReplicaUnderTest leader = LeaderOfEpoch3();
        FetchResponse.PartitionData answer = Answer(leader.Receive(Fetch(fetchOffset: 0, lastFetchedEpoch: 0), RaftMessages.FetchVersion));
        Assert.Null(answer.DivergingEpoch);
        Assert.Equal([0L, 1L, 2L, 3L, 4L, 5L], BaseOffsets(answer.Records));
    }

    [Theory]
    [InlineData(3, 1, 1, 2)]   // epoch 1 ends at 2 on the leader: offsets past it diverged
    [InlineData(7, 3, 3, 6)]   // longer than the leader's log in the leader's own epoch
    [InlineData(3, 0, 0, 0)]   // an epoch older than any the leader holds: start over (Kafka names the epoch asked about)
    [InlineData(4, 4, 3, 6)]   // an epoch the leader never had (a deposed leader's): back to the largest one below it
    public void FetchFromADivergedLogGetsTheEndOfTheLargestSharedEpoch(long fetchOffset, int lastFetchedEpoch, int divergingEpoch, long divergingEndOffset)
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        FetchResponse.PartitionData answer = Answer(leader.Receive(Fetch(fetchOffset, lastFetchedEpoch), RaftMessages.FetchVersion));

        Assert.Equal((short)ErrorCode.None, answer.ErrorCode);
        Assert.NotNull(answer.DivergingEpoch);
        Assert.Equal((divergingEpoch, divergingEndOffset), (answer.DivergingEpoch!.Epoch, answer.DivergingEpoch.EndOffset));
        Assert.Empty(BaseOffsets(answer.Records));
    }

    [Theory]
    [InlineData(2, ErrorCode.FencedLeaderEpoch)]
    [InlineData(4, ErrorCode.UnknownLeaderEpoch)]
    public void FetchInAnotherEpochIsRefusedNamingTheLeader(int fetchEpoch, ErrorCode expected)
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        FetchResponse.PartitionData answer = Answer(leader.Receive(Fetch(6, 3, epoch: fetchEpoch), RaftMessages.FetchVersion));

        Assert.Equal((short)expected, answer.ErrorCode);
        Assert.Equal((1, 3), (answer.CurrentLeader!.LeaderId, answer.CurrentLeader.LeaderEpoch));
    }

    [Fact]
    public void FollowerRefusesFetchesNamingTheLeaderItFollows()
    {
        var follower = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        follower.Start();
        follower.Receive(RaftMessages.BeginQuorumEpochRequest(RaftTestCluster.ClusterId, leaderId: 2, voterId: 1, epoch: 4, null), 1, fromNodeId: 2);
        FetchResponse response = ReplicaUnderTest.ResponseIn<FetchResponse>(follower.Receive(Fetch(0, -1, epoch: 4), RaftMessages.FetchVersion));
        FetchResponse.PartitionData answer = response.Responses[0].Partitions[0];

        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, answer.ErrorCode);
        Assert.Equal((2, 4), (answer.CurrentLeader!.LeaderId, answer.CurrentLeader.LeaderEpoch));
        // Fetch v16+ carries the leader's address, so an observer can go straight there.
        Assert.Equal(9092, Assert.Single(response.NodeEndpoints).Port);
    }

    [Fact]
    public void FetchFromAnotherClusterIsRefused()
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        FetchRequest request = Fetch(0, -1);
        request.ClusterId = "another-cluster";

        Assert.Equal((short)ErrorCode.InconsistentClusterId, ReplicaUnderTest.ResponseIn<FetchResponse>(leader.Receive(request, RaftMessages.FetchVersion)).ErrorCode);
    }

    [Theory]
    [InlineData(-1, -1, ObserverId)] // no such offset
    [InlineData(3, -1, ObserverId)]  // offsets without an epoch
    [InlineData(0, -1, 1)]           // a peer using the leader's own id
    public void MalformedFetchIsAnInvalidRequest(long fetchOffset, int lastFetchedEpoch, int replicaId)
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        FetchRequest request = RaftMessages.FetchRequest(RaftTestCluster.ClusterId, replicaId, 3, fetchOffset, lastFetchedEpoch, 0);

        Assert.Equal((short)ErrorCode.InvalidRequest, ReplicaUnderTest.ResponseIn<FetchResponse>(leader.Receive(request, RaftMessages.FetchVersion)).ErrorCode);
        Assert.True(leader.Replica.IsLeader);
    }

    [Fact]
    public void FetchWithNothingNewWaitsUntilItsMaxWait()
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        IReadOnlyList<NodeEffect> held = leader.Receive(Fetch(6, 3, maxWaitMs: 500), RaftMessages.FetchVersion);
        Assert.DoesNotContain(held, effect => effect is NodeEffect.Respond);
        Assert.Equal(leader.NowMs + 500, leader.Replica.NextDeadlineMs);

        Assert.DoesNotContain(leader.Tick(leader.NowMs + 499), effect => effect is NodeEffect.Respond);
        FetchResponse.PartitionData answer = Answer(leader.Tick(leader.NowMs + 1));
        Assert.Equal((short)ErrorCode.None, answer.ErrorCode);
        Assert.Empty(BaseOffsets(answer.Records));
    }

    [Fact]
    public void HeldFetchIsAnsweredWithTheNewBatchOnceItIsInTheLog()
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        leader.Receive(Fetch(6, 3, maxWaitMs: 500), RaftMessages.FetchVersion);
        IReadOnlyList<NodeEffect> proposed = leader.Step((replica, effects) => replica.TryPropose([new byte[] { 42 }], leader.NowMs, effects));
        Assert.DoesNotContain(proposed, effect => effect is NodeEffect.Respond);
        // The append is carried out at the end of that step; the replica asks to be woken at once to serve it.
        Assert.Equal(leader.NowMs, leader.Replica.NextDeadlineMs);

        FetchResponse.PartitionData answer = Answer(leader.Tick(leader.NowMs));
        Assert.Equal([6L], BaseOffsets(answer.Records));
    }

    [Fact]
    public void HighWatermarkMovesOnlyOnceAnEntryOfTheLeadersEpochIsOnAMajority()
    {
        // Raft §5.4.2 and Figure 8: "Raft never commits log entries from previous terms by counting replicas".
        // A follower holding all of epoch 2 makes a majority for offset 3, which is still not committed; only
        // its fetch past the LeaderChange record of epoch 3 commits everything.
        var leader = new ReplicaUnderTest(nodeId: 1, voterCount: 3, ReplicaUnderTest.StorageWithBatches(1, 1, 2));
        leader.Storage.Apply(new NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 2)));
        leader.Start();
        leader.WinElectionWithVotesFrom(2);
        leader.Flush();
        Assert.Equal((QuorumStateKind.Leader, 3), (leader.Replica.State, leader.Replica.Epoch));

        FetchRequest fromFollower = RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 2, epoch: 3, fetchOffset: 3, lastFetchedEpoch: 2, 0);
        Answer(leader.Receive(fromFollower, RaftMessages.FetchVersion, fromNodeId: 2));
        Assert.Equal(0, leader.Replica.HighWatermark);

        fromFollower = RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 2, epoch: 3, fetchOffset: 4, lastFetchedEpoch: 3, 0);
        Assert.Equal(4, Answer(leader.Receive(fromFollower, RaftMessages.FetchVersion, fromNodeId: 2)).HighWatermark);
        Assert.Equal(4, leader.Replica.HighWatermark);
    }

    [Fact]
    public void LeaderTracksObserversForDescribeQuorum()
    {
        ReplicaUnderTest leader = LeaderOfEpoch3();
        leader.NowMs = 1_000;
        leader.Receive(Fetch(6, 3), RaftMessages.FetchVersion);
        DescribeQuorumRequest request = new()
        {
            Topics = [new DescribeQuorumRequest.TopicData { TopicName = "__cluster_metadata", Partitions = [new DescribeQuorumRequest.PartitionData()] }],
        };
        DescribeQuorumResponse response = ReplicaUnderTest.ResponseIn<DescribeQuorumResponse>(leader.Receive(request, 2));
        DescribeQuorumResponse.PartitionData partition = response.Topics[0].Partitions[0];

        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal((1, 3, 6L), (partition.LeaderId, partition.LeaderEpoch, partition.HighWatermark));
        DescribeQuorumResponse.ReplicaState voter = Assert.Single(partition.CurrentVoters);
        Assert.Equal((1, 6L), (voter.ReplicaId, voter.LogEndOffset));
        DescribeQuorumResponse.ReplicaState observer = Assert.Single(partition.Observers);
        Assert.Equal((ObserverId, 6L, 1_000L, 1_000L), (observer.ReplicaId, observer.LogEndOffset, observer.LastFetchTimestamp, observer.LastCaughtUpTimestamp));
        Assert.Equal(9091, Assert.Single(Assert.Single(response.Nodes).Listeners).Port);
    }

    [Fact]
    public void OnlyTheLeaderDescribesTheQuorum()
    {
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        voter.Start();
        DescribeQuorumRequest request = new()
        {
            Topics = [new DescribeQuorumRequest.TopicData { TopicName = "__cluster_metadata", Partitions = [new DescribeQuorumRequest.PartitionData()] }],
        };
        DescribeQuorumResponse response = ReplicaUnderTest.ResponseIn<DescribeQuorumResponse>(voter.Receive(request, 2));

        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, response.Topics[0].Partitions[0].ErrorCode);
    }
}
