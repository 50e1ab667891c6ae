using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Raft;

/// <summary>
/// KIP-853's replica keys on a static quorum: a voter is (node id, directory id), and a node whose storage
/// carries another directory id than its voter entry (its disk was replaced or re-formatted) has lost the
/// entries and the vote that voter promised on, so it must neither vote, nor stand, nor count toward the
/// high watermark; it may follow as an observer. <see cref="ReintroducedBugs.EmptyDiskVoter"/> turns the check off.
/// </summary>
public sealed class StorageIdentityTests
{
    private static Uuid DirectoryOf(int nodeId) => new(0x5EED, nodeId);

    private static readonly Uuid ReplacedDisk = new(0xD15C, 99);

    /// <summary>Three voters, each named with its first disk's directory id.</summary>
    private static NodeConfig WithDirectoryIds(NodeConfig config, ReintroducedBugs bugs = ReintroducedBugs.None) => config with
    {
        Voters = config.Voters.Select(voter => voter with { DirectoryId = DirectoryOf(voter.NodeId) }).ToList(),
        ReintroducedBugs = bugs,
    };

    private static ReplicaUnderTest Replica(int nodeId, Uuid disk, ReintroducedBugs bugs = ReintroducedBugs.None) =>
        new(nodeId, voterCount: 3, new MemoryLogStorage { DirectoryId = disk }, configure: config => WithDirectoryIds(config, bugs));

    private static VoteRequest Vote(int candidateId, int epoch, Uuid voterDirectoryId) =>
        RaftMessages.VoteRequest(RaftTestCluster.ClusterId, candidateId, voterId: 1, epoch, OffsetAndEpoch.Empty, preVote: false,
            candidateDirectoryId: DirectoryOf(candidateId), voterDirectoryId: voterDirectoryId);

    private static VoteResponse.PartitionData VoteAnswer(IReadOnlyList<NodeEffect> effects) =>
        ReplicaUnderTest.ResponseIn<VoteResponse>(effects).Topics[0].Partitions[0];

    [Fact]
    public void VoterOnItsOwnDiskIsAVoter()
    {
        ReplicaUnderTest voter = Replica(1, DirectoryOf(1));
        voter.Start();

        Assert.True(voter.Replica.IsVoter);
        Assert.Null(voter.Replica.NotVotingReason);
        Assert.Equal(DirectoryOf(1), voter.Replica.DirectoryId);
        Assert.True(VoteAnswer(voter.Receive(Vote(2, 1, DirectoryOf(1)), RaftMessages.VoteVersion, 2)).VoteGranted);
    }

    [Fact]
    public void VoterOnAReplacedDiskIsAnObserverThatNeverStandsAndSaysWhy()
    {
        ReplicaUnderTest wiped = Replica(1, ReplacedDisk);
        IReadOnlyList<NodeEffect> started = wiped.Start();

        Assert.False(wiped.Replica.IsVoter);
        Assert.Contains(DirectoryOf(1).ToString(), wiped.Replica.NotVotingReason);
        Assert.Contains(ReplacedDisk.ToString(), wiped.Replica.NotVotingReason);
        // An observer looks for the leader by fetching from the other voters, never from its own id.
        NodeEffect.SendRequest fetch = Assert.Single(started.OfType<NodeEffect.SendRequest>());
        Assert.IsType<FetchRequest>(fetch.Body);
        Assert.NotEqual(1, fetch.ToNodeId);
        // Its election timer never fires: however long it waits, it asks no one for a vote.
        for (long nowMs = 1_000; nowMs <= 60_000; nowMs += 1_000)
            Assert.DoesNotContain(wiped.Tick(nowMs), effect => effect is NodeEffect.SendRequest { Body: VoteRequest });
        Assert.Equal(QuorumStateKind.Unattached, wiped.Replica.State);
    }

    [Fact]
    public void VoterOnAReplacedDiskRefusesToVote()
    {
        // The wiped disk holds neither the log the voter acknowledged nor the vote it cast: granting would let a
        // candidate without committed entries win (Raft §5.4.1), or a second candidate win the same epoch (§5.2).
        ReplicaUnderTest wiped = Replica(1, ReplacedDisk);
        wiped.Start();
        IReadOnlyList<NodeEffect> effects = wiped.Receive(Vote(2, 1, DirectoryOf(1)), RaftMessages.VoteVersion, 2);

        VoteResponse.PartitionData answer = VoteAnswer(effects);
        Assert.Equal((short)ErrorCode.InvalidVoterKey, answer.ErrorCode);
        Assert.False(answer.VoteGranted);
        Assert.DoesNotContain(effects, effect => effect is NodeEffect.PersistQuorumState { State.VotedId: 2 });
    }

    [Fact]
    public void VoteNamingAnotherDirectoryIsRefusedAndOneNamingNoneIsJudgedAsBefore()
    {
        ReplicaUnderTest voter = Replica(1, DirectoryOf(1));
        voter.Start();

        VoteResponse.PartitionData misaddressed = VoteAnswer(voter.Receive(Vote(2, 1, ReplacedDisk), RaftMessages.VoteVersion, 2));
        Assert.Equal((short)ErrorCode.InvalidVoterKey, misaddressed.ErrorCode);
        Assert.False(misaddressed.VoteGranted);
        // A sender that knows no directory id (Uuid.Zero, or Vote v0) cannot contradict this disk.
        Assert.True(VoteAnswer(voter.Receive(Vote(2, 1, Uuid.Zero), RaftMessages.VoteVersion, 2)).VoteGranted);
    }

    [Fact]
    public void BeginQuorumEpochForTheOldDiskIsRefusedAndTheLeaderStopsAnnouncingToIt()
    {
        ReplicaUnderTest wiped = Replica(1, ReplacedDisk);
        wiped.Start();
        BeginQuorumEpochRequest begin = RaftMessages.BeginQuorumEpochRequest(RaftTestCluster.ClusterId, leaderId: 2, voterId: 1, epoch: 3, null, DirectoryOf(1));
        BeginQuorumEpochResponse answer = ReplicaUnderTest.ResponseIn<BeginQuorumEpochResponse>(wiped.Receive(begin, RaftMessages.BeginQuorumEpochVersion, 2));
        Assert.Equal((short)ErrorCode.InvalidVoterKey, answer.Topics[0].Partitions[0].ErrorCode);
        Assert.NotEqual(QuorumStateKind.Follower, wiped.Replica.State);

        // The leader's side: that refusal is final, so the announcement is not sent again and again.
        ReplicaUnderTest leader = Replica(2, DirectoryOf(2));
        leader.Start();
        IReadOnlyList<NodeEffect> elected = leader.WinElectionWithVotesFrom(3);
        NodeEffect.SendRequest toWiped = elected.OfType<NodeEffect.SendRequest>().Single(send => send.ToNodeId == 1 && send.Body is BeginQuorumEpochRequest);
        Assert.Equal(DirectoryOf(1), ((BeginQuorumEpochRequest)toWiped.Body).Topics[0].Partitions[0].VoterDirectoryId);
        leader.Answer(toWiped, RaftMessages.BeginQuorumEpochResponse(ErrorCode.InvalidVoterKey, new LeaderAndEpoch(2, leader.Replica.Epoch)));
        long answeredAtMs = leader.NowMs;
        for (long nowMs = answeredAtMs + 100; nowMs <= answeredAtMs + 1_000; nowMs += 100)
            Assert.DoesNotContain(leader.Tick(nowMs), effect => effect is NodeEffect.SendRequest { ToNodeId: 1, Body: BeginQuorumEpochRequest });
    }

    [Fact]
    public void LeaderCountsAFetchTowardTheHighWatermarkOnlyFromTheVotersOwnDisk()
    {
        ReplicaUnderTest leader = Replica(1, DirectoryOf(1));
        leader.Start();
        leader.WinElectionWithVotesFrom(2);
        leader.Flush();
        int epoch = leader.Replica.Epoch;
        long end = leader.Replica.LogEndOffset;
        Assert.Equal(0, leader.Replica.HighWatermark);

        // Node 2's id, but a replaced disk: it may read (it follows as an observer), but it holds nothing the voter acknowledged.
        FetchRequest fromWiped = RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 2, epoch, end, epoch, 0, ReplacedDisk);
        fromWiped.MaxWaitMs = 0;
        Assert.Equal((short)ErrorCode.None, ReplicaUnderTest.ResponseIn<FetchResponse>(leader.Receive(fromWiped, RaftMessages.FetchVersion, 2)).Responses[0].Partitions[0].ErrorCode);
        Assert.Equal(0, leader.Replica.HighWatermark);

        FetchRequest fromVoter = RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 2, epoch, end, epoch, 0, DirectoryOf(2));
        leader.Receive(fromVoter, RaftMessages.FetchVersion, 2);
        Assert.Equal(end, leader.Replica.HighWatermark);
    }

    [Fact]
    public void FollowerNamesItsDiskInEveryFetch()
    {
        ReplicaUnderTest follower = Replica(1, DirectoryOf(1));
        follower.Start();
        BeginQuorumEpochRequest begin = RaftMessages.BeginQuorumEpochRequest(RaftTestCluster.ClusterId, leaderId: 2, voterId: 1, epoch: 3, null, DirectoryOf(1));
        IReadOnlyList<NodeEffect> followed = follower.Receive(begin, RaftMessages.BeginQuorumEpochVersion, 2);

        NodeEffect.SendRequest fetch = Assert.Single(followed.OfType<NodeEffect.SendRequest>());
        FetchRequest request = (FetchRequest)WireRoundTrip.Request(fetch.Body, fetch.ApiVersion);
        Assert.Equal(DirectoryOf(1), request.Topics[0].Partitions[0].ReplicaDirectoryId);
    }

    [Fact]
    public void WithTheEmptyDiskVoterBugTheReplacedDiskVotesAsIfNothingHappened()
    {
        ReplicaUnderTest wiped = Replica(1, ReplacedDisk, ReintroducedBugs.EmptyDiskVoter);
        wiped.Start();

        Assert.True(wiped.Replica.IsVoter);
        Assert.True(VoteAnswer(wiped.Receive(Vote(2, 1, DirectoryOf(1)), RaftMessages.VoteVersion, 2)).VoteGranted);
    }

    [Fact]
    public void VoterSetMatchesAReplicaKeyByDirectoryOnlyWhereItKnowsOne()
    {
        var voters = new VoterSet([(1, DirectoryOf(1)), (2, (Uuid?)null)]);

        Assert.True(voters.IsVoter(1, DirectoryOf(1)));
        Assert.False(voters.IsVoter(1, ReplacedDisk));
        Assert.False(voters.IsVoter(1, Uuid.Zero));
        Assert.True(voters.IsVoter(2, ReplacedDisk));
        Assert.False(voters.IsVoter(3, DirectoryOf(3)));
        Assert.Equal(DirectoryOf(1), voters.DirectoryIdOf(1));
        Assert.Equal(Uuid.Zero, voters.DirectoryIdOf(2));
        Assert.Throws<ArgumentException>(() => new VoterSet([(1, (Uuid?)Uuid.Zero)]));
        Assert.True(new VoterSet([(1, DirectoryOf(1))], ignoreDirectoryIds: true).IsVoter(1, ReplacedDisk));
    }
}
