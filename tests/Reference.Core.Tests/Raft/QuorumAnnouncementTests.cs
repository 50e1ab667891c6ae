using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Raft;

/// <summary>KIP-595's BeginQuorumEpoch and EndQuorumEpoch, and how a follower reacts to the leader's answers.</summary>
public sealed class QuorumAnnouncementTests
{
    private static ReplicaUnderTest LeaderOfThree(out IReadOnlyList<NodeEffect> becameLeader)
    {
        var leader = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        leader.Start();
        becameLeader = leader.WinElectionWithVotesFrom(2);
        return leader;
    }

    private static NodeEffect.SendRequest SentTo(IReadOnlyList<NodeEffect> effects, int nodeId) =>
        effects.OfType<NodeEffect.SendRequest>().Single(send => send.ToNodeId == nodeId);

    [Fact]
    public void NewLeaderPersistsThenWritesLeaderChangeThenAnnouncesItsEpoch()
    {
        LeaderOfThree(out IReadOnlyList<NodeEffect> becameLeader);
        var kinds = becameLeader.Select(effect => effect.GetType().Name).ToList();

        int persisted = kinds.IndexOf(nameof(NodeEffect.PersistQuorumState));
        int appended = kinds.IndexOf(nameof(NodeEffect.AppendToLog));
        int announced = becameLeader.ToList().FindIndex(effect => effect is NodeEffect.SendRequest { Body: BeginQuorumEpochRequest });
        Assert.True(persisted >= 0 && persisted < appended && appended < announced, string.Join(", ", kinds));
        Assert.Equal(2, becameLeader.Count(effect => effect is NodeEffect.SendRequest { Body: BeginQuorumEpochRequest }));
    }

    [Fact]
    public void BeginQuorumEpochIsRetriedUntilEachVoterAcknowledges()
    {
        ReplicaUnderTest leader = LeaderOfThree(out IReadOnlyList<NodeEffect> becameLeader);
        leader.Answer(SentTo(becameLeader, 2), RaftMessages.BeginQuorumEpochResponse(ErrorCode.None, new LeaderAndEpoch(1, leader.Replica.Epoch)));
        NodeEffect.SendRequest toVoter3 = SentTo(becameLeader, 3);
        leader.Step((replica, effects) => replica.HandleRequestFailed(3, toVoter3.CorrelationId, leader.NowMs, effects));

        IReadOnlyList<NodeEffect> retried = leader.Tick(leader.NowMs + leader.Config.QuorumRetryBackoffMs);
        NodeEffect.SendRequest again = Assert.Single(retried.OfType<NodeEffect.SendRequest>());
        Assert.Equal(3, again.ToNodeId);
        Assert.IsType<BeginQuorumEpochRequest>(again.Body);

        // A fetch in the epoch acknowledges it as well as an answer would.
        leader.Receive(RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 3, leader.Replica.Epoch, 0, -1, 0), RaftMessages.FetchVersion, fromNodeId: 3);
        leader.Step((replica, effects) => replica.HandleRequestFailed(3, again.CorrelationId, leader.NowMs, effects));
        Assert.DoesNotContain(leader.Tick(leader.NowMs + 10_000).OfType<NodeEffect.SendRequest>(), send => send.Body is BeginQuorumEpochRequest);
    }

    [Fact]
    public void ResigningLeaderNamesTheVotersWithTheMostOfTheLogFirst()
    {
        ReplicaUnderTest leader = LeaderOfThree(out _);
        int epoch = leader.Replica.Epoch;
        leader.Step((replica, effects) => replica.TryPropose([new byte[] { 1 }], leader.NowMs, effects));
        leader.Flush();
        leader.Receive(RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 3, epoch, 2, epoch, 0), RaftMessages.FetchVersion, fromNodeId: 3);
        leader.Receive(RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 2, epoch, 1, epoch, 0), RaftMessages.FetchVersion, fromNodeId: 2);

        IReadOnlyList<NodeEffect> resigned = leader.Step((replica, effects) => Assert.True(replica.Resign(leader.NowMs, effects)));

        Assert.Equal(QuorumStateKind.Resigned, leader.Replica.State);
        var endQuorum = (EndQuorumEpochRequest)SentTo(resigned, 2).Body;
        Assert.Equal([3, 2], endQuorum.Topics[0].Partitions[0].PreferredCandidates.Select(candidate => candidate.CandidateId));
        Assert.IsType<EndQuorumEpochRequest>(SentTo(resigned, 3).Body);
        // A resigned leader takes no proposals.
        ProposalResult refused = default;
        leader.Step((replica, effects) => refused = replica.TryPropose([new byte[] { 2 }], leader.NowMs, effects));
        Assert.Equal(ProposalRejection.NotLeader, refused.Rejection);
    }

    [Fact]
    public void LeaderResignsWhenNoMajorityFetchesWithinOneAndAHalfFetchTimeouts()
    {
        ReplicaUnderTest leader = LeaderOfThree(out _);
        long checkQuorumMs = leader.Config.QuorumFetchTimeoutMs * 3 / 2;
        long startMs = leader.NowMs;

        leader.Tick(startMs + checkQuorumMs - 1);
        Assert.True(leader.Replica.IsLeader);
        leader.Tick(startMs + checkQuorumMs);
        Assert.Equal(QuorumStateKind.Resigned, leader.Replica.State);
    }

    [Fact]
    public void VoterStillTruncatingCountsAsReachingTheLeader()
    {
        // Its fetches diverge, so its progress is not recorded, but it reaches the leader in its epoch.
        ReplicaUnderTest leader = LeaderOfThree(out _);
        int epoch = leader.Replica.Epoch;
        long startMs = leader.NowMs;
        for (long atMs = startMs + 1_000; atMs <= startMs + 10_000; atMs += 1_000)
        {
            leader.Tick(atMs);
            FetchRequest diverged = RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 2, epoch, fetchOffset: 9, lastFetchedEpoch: epoch - 1, 0);
            FetchResponse answer = ReplicaUnderTest.ResponseIn<FetchResponse>(leader.Receive(diverged, RaftMessages.FetchVersion, fromNodeId: 2));
            Assert.NotNull(answer.Responses[0].Partitions[0].DivergingEpoch);
        }
        Assert.True(leader.Replica.IsLeader);
    }

    [Fact]
    public void FirstPreferredSuccessorStandsAtOnce()
    {
        var follower = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        follower.Start();
        follower.Receive(RaftMessages.BeginQuorumEpochRequest(RaftTestCluster.ClusterId, 2, 1, epoch: 3, null), 1, fromNodeId: 2);

        IReadOnlyList<NodeEffect> effects = follower.Receive(RaftMessages.EndQuorumEpochRequest(RaftTestCluster.ClusterId, 2, 3, [1, 3], null), 1, fromNodeId: 2);

        Assert.Equal(QuorumStateKind.Prospective, follower.Replica.State);
        Assert.Contains(effects, effect => effect is NodeEffect.SendRequest { Body: VoteRequest });
    }

    [Fact]
    public void FollowerFencedByANewerLeaderFollowsIt()
    {
        var follower = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        follower.Start();
        IReadOnlyList<NodeEffect> began = follower.Receive(RaftMessages.BeginQuorumEpochRequest(RaftTestCluster.ClusterId, 2, 1, epoch: 3, null), 1, fromNodeId: 2);
        NodeEffect.SendRequest fetch = SentTo(began, 2);

        IReadOnlyList<NodeEffect> answered = follower.Answer(fetch, RaftMessages.FetchResponse(new FetchResponse.PartitionData
        {
            ErrorCode = (short)ErrorCode.FencedLeaderEpoch,
            CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = 3, LeaderEpoch = 5 },
        }, null));

        Assert.Equal((QuorumStateKind.Follower, 5, 3), (follower.Replica.State, follower.Replica.Epoch, follower.Replica.LeaderId));
        Assert.Equal(5, follower.Storage.QuorumState!.LeaderEpoch);
        var next = (FetchRequest)SentTo(answered, 3).Body;
        Assert.Equal(5, next.Topics[0].Partitions[0].CurrentLeaderEpoch);
    }

    [Fact]
    public void ObserverFindsTheLeaderByAskingTheVoters()
    {
        var cluster = new RaftTestCluster(voterCount: 3, observerCount: 1, seed: 9);
        cluster.StartAll();
        RaftTestNode observer = cluster[4];
        Assert.True(cluster.RunUntil(() => cluster.Leaders.Count == 1 && observer.Replica.State == QuorumStateKind.Follower), cluster.ToString());
        RaftTestNode leader = cluster.Leaders[0];
        Assert.Equal(leader.Id, observer.Replica.LeaderId);

        cluster.Crash(leader.Id);
        // Its fetches fail for a fetch timeout: it goes back to unattached, asks around, and follows the next leader.
        Assert.True(cluster.RunUntil(() => observer.Replica.State == QuorumStateKind.Unattached), cluster.ToString());
        Assert.True(cluster.RunUntil(() => cluster.Leaders.Count == 1 && observer.Replica.LeaderId == cluster.Leaders[0].Id
            && observer.Replica.HighWatermark == cluster.Leaders[0].Replica.LogEndOffset), cluster.ToString());
        Assert.False(observer.Replica.IsVoter);
        Assert.DoesNotContain(observer.History, effect => effect is NodeEffect.SendRequest { Body: VoteRequest });
    }
}
