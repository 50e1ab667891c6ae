using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Raft;

/// <summary>A voter's side of elections: Raft §5.2 and §5.4.1, KIP-595's Vote, KIP-996's pre-vote.</summary>
public sealed class VoteTests
{
    private static VoteRequest Vote(int candidateId, int epoch, OffsetAndEpoch lastLog, bool preVote = false, int voterId = 1) =>
        RaftMessages.VoteRequest(RaftTestCluster.ClusterId, candidateId, voterId, epoch, lastLog, preVote);

    private static VoteResponse.PartitionData Answer(IReadOnlyList<NodeEffect> effects) =>
        ReplicaUnderTest.ResponseIn<VoteResponse>(effects).Topics[0].Partitions[0];

    [Fact]
    public void GrantedVoteIsPersistedBeforeTheResponseLeaves()
    {
        // Raft Figure 2: "votedFor ... updated on stable storage before responding to RPCs".
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        voter.Start();
        IReadOnlyList<NodeEffect> effects = voter.Receive(Vote(candidateId: 2, epoch: 1, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, fromNodeId: 2);

        Assert.True(Answer(effects).VoteGranted);
        int respondAt = effects.ToList().FindIndex(effect => effect is NodeEffect.Respond);
        int persistAt = effects.ToList().FindLastIndex(effect => effect is NodeEffect.PersistQuorumState { State: { LeaderEpoch: 1, VotedId: 2 } });
        Assert.InRange(persistAt, 0, respondAt - 1);
        Assert.Equal(QuorumStateKind.Voted, voter.Replica.State);
    }

    [Fact]
    public void VoteIsNeverGrantedTwiceInAnEpochEvenAcrossARestart()
    {
        // Raft §5.2: "each server will vote for at most one candidate in a given term".
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        voter.Start();
        Assert.True(Answer(voter.Receive(Vote(2, epoch: 4, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, 2)).VoteGranted);

        voter.CrashAndRestart();
        Assert.Equal(QuorumStateKind.Voted, voter.Replica.State);
        Assert.False(Answer(voter.Receive(Vote(3, epoch: 4, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, 3)).VoteGranted);
        // The same candidate asking again, a retry, gets the same answer.
        Assert.True(Answer(voter.Receive(Vote(2, epoch: 4, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, 2)).VoteGranted);
        // A later epoch is a new election.
        Assert.True(Answer(voter.Receive(Vote(3, epoch: 5, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, 3)).VoteGranted);
    }

    [Fact]
    public void CandidateFromAnOlderEpochIsFenced()
    {
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        voter.Storage.Apply(new NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 5)));
        voter.Start();
        VoteResponse.PartitionData answer = Answer(voter.Receive(Vote(2, epoch: 4, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, 2));

        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, answer.ErrorCode);
        Assert.False(answer.VoteGranted);
        Assert.Equal(5, answer.LeaderEpoch);
    }

    [Theory]
    [InlineData(1, 10, false)] // a longer log of an older epoch is less up to date
    [InlineData(2, 4, false)]  // same last epoch, shorter
    [InlineData(2, 5, true)]   // identical
    [InlineData(2, 6, true)]   // same last epoch, longer
    [InlineData(3, 0, true)]   // a later last epoch wins whatever its length
    public void VoteGoesOnlyToACandidateWhoseLogIsAtLeastAsUpToDate(int lastEpoch, long lastOffset, bool granted)
    {
        // Raft §5.4.1: "If the logs have last entries with different terms, then the log with the later term is
        // more up-to-date. If the logs end with the same term, then whichever log is longer is more up-to-date."
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3, ReplicaUnderTest.StorageWithBatches(1, 1, 2, 2, 2));
        voter.Storage.Apply(new NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 2)));
        voter.Start();
        VoteResponse.PartitionData answer = Answer(voter.Receive(Vote(2, epoch: 3, new OffsetAndEpoch(lastOffset, lastEpoch)), RaftMessages.VoteVersion, 2));

        Assert.Equal(granted, answer.VoteGranted);
        Assert.Equal(granted ? QuorumStateKind.Voted : QuorumStateKind.Unattached, voter.Replica.State);
        Assert.Equal(3, voter.Replica.Epoch);
    }

    [Fact]
    public void PreVoteIsAnsweredWithoutChangingOrPersistingAnything()
    {
        // KIP-996: a pre-vote "does not persist" and binds nothing.
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        voter.Storage.Apply(new NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 3)));
        voter.Start();
        IReadOnlyList<NodeEffect> effects = voter.Receive(Vote(2, epoch: 3, OffsetAndEpoch.Empty, preVote: true), RaftMessages.VoteVersion, 2);

        Assert.True(Answer(effects).VoteGranted);
        Assert.DoesNotContain(effects, effect => effect is NodeEffect.PersistQuorumState);
        Assert.Equal(QuorumStateKind.Unattached, voter.Replica.State);
        // Still free to vote for someone else in the epoch.
        Assert.True(Answer(voter.Receive(Vote(3, epoch: 3, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, 3)).VoteGranted);
    }

    [Fact]
    public void PreVoteFromAHigherEpochMovesTheVoterToThatEpochWithoutAVote()
    {
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        voter.Start();
        IReadOnlyList<NodeEffect> effects = voter.Receive(Vote(2, epoch: 6, OffsetAndEpoch.Empty, preVote: true), RaftMessages.VoteVersion, 2);

        Assert.True(Answer(effects).VoteGranted);
        Assert.Equal(6, voter.Replica.Epoch);
        Assert.Equal(QuorumStateKind.Unattached, voter.Replica.State);
        Assert.Equal(-1, voter.Storage.QuorumState!.VotedId);
    }

    [Fact]
    public void FollowerGrantsPreVotesOnlyUntilItHasFetchedFromItsLeader()
    {
        var follower = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        follower.Start();
        IReadOnlyList<NodeEffect> began = follower.Receive(
            RaftMessages.BeginQuorumEpochRequest(RaftTestCluster.ClusterId, leaderId: 2, voterId: 1, epoch: 1, null), 1, fromNodeId: 2);
        Assert.Equal(QuorumStateKind.Follower, follower.Replica.State);
        NodeEffect.SendRequest fetch = Assert.Single(began.OfType<NodeEffect.SendRequest>(), send => send.Body is FetchRequest);

        // It knows of leader 2 but has no evidence it lives: it must not block an election (KIP-996, KAFKA-17641).
        Assert.True(Answer(follower.Receive(Vote(3, epoch: 1, OffsetAndEpoch.Empty, preVote: true), RaftMessages.VoteVersion, 3)).VoteGranted);

        follower.Answer(fetch, FetchAnswer(leaderId: 2, epoch: 1));
        // Now it hears from its leader: a voter partitioned from the leader must not unseat it.
        Assert.False(Answer(follower.Receive(Vote(3, epoch: 1, OffsetAndEpoch.Empty, preVote: true), RaftMessages.VoteVersion, 3)).VoteGranted);
        // A real vote is never granted while the epoch has a leader.
        Assert.False(Answer(follower.Receive(Vote(3, epoch: 1, OffsetAndEpoch.Empty), RaftMessages.VoteVersion, 3)).VoteGranted);

        follower.Receive(RaftMessages.EndQuorumEpochRequest(RaftTestCluster.ClusterId, leaderId: 2, epoch: 1, [3, 1], null), 1, fromNodeId: 2);
        // The leader said it is leaving: now the follower helps a successor through pre-vote.
        Assert.True(Answer(follower.Receive(Vote(3, epoch: 1, OffsetAndEpoch.Empty, preVote: true), RaftMessages.VoteVersion, 3)).VoteGranted);
    }

    [Fact]
    public void ObserverTakesNoPartInElections()
    {
        var observer = new ReplicaUnderTest(nodeId: 9, voterCount: 3);
        observer.Start();
        VoteResponse.PartitionData answer = Answer(observer.Receive(Vote(2, epoch: 1, OffsetAndEpoch.Empty, voterId: 9), RaftMessages.VoteVersion, 2));

        Assert.Equal((short)ErrorCode.InconsistentVoterSet, answer.ErrorCode);
        Assert.False(answer.VoteGranted);
    }

    [Fact]
    public void VoteFromAnotherClusterIsRefused()
    {
        var voter = new ReplicaUnderTest(nodeId: 1, voterCount: 3);
        voter.Start();
        VoteRequest request = Vote(2, epoch: 1, OffsetAndEpoch.Empty);
        request.ClusterId = "another-cluster";
        IReadOnlyList<NodeEffect> effects = voter.Receive(request, RaftMessages.VoteVersion, 2);

        Assert.Equal((short)ErrorCode.InconsistentClusterId, ReplicaUnderTest.ResponseIn<VoteResponse>(effects).ErrorCode);
        Assert.Equal(0, voter.Replica.Epoch);
    }

    private static FetchResponse FetchAnswer(int leaderId, int epoch) => RaftMessages.FetchResponse(new FetchResponse.PartitionData
    {
        HighWatermark = 0,
        CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = leaderId, LeaderEpoch = epoch },
    }, null);
}
