using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Tests.Raft;

/// <summary>The moves between quorum states (KIP-595, KIP-996) and what each persists, in one place: <see cref="QuorumState"/>.</summary>
public sealed class QuorumStateTests
{
    private static QuorumState Quorum(int localId = 1, int voterCount = 3)
    {
        var config = new NodeConfig
        {
            NodeId = localId,
            ClusterId = "c",
            Voters = Enumerable.Range(1, voterCount).Select(id => new VoterAddress(id, "localhost", 9090 + id)).ToList(),
            AdvertisedBrokerEndpoints = [],
        };
        return new QuorumState(localId, Uuid.Zero, VoterSet.From(config), config, new SplitMix64Random(1));
    }

    private static (QuorumState Quorum, Effects Effects) Initialized(QuorumStateData? persisted, int logLastEpoch = -1, int localId = 1)
    {
        QuorumState quorum = Quorum(localId);
        var effects = new Effects();
        quorum.Initialize(persisted, logLastEpoch, 0, effects);
        return (quorum, effects);
    }

    private static QuorumStateData Persisted(int epoch, int leaderId = -1, int votedId = -1) => new() { LeaderEpoch = epoch, LeaderId = leaderId, VotedId = votedId };

    private static IReadOnlyList<QuorumStateData> Persists(Effects effects) =>
        effects.Drain().OfType<NodeEffect.PersistQuorumState>().Select(persist => persist.State).ToList();

    [Theory]
    [InlineData(3, 1, 1, QuorumStateKind.Resigned)]   // a leader's in-memory state cannot be resumed
    [InlineData(3, -1, 1, QuorumStateKind.Candidate)] // its own candidacy goes on in the same epoch
    [InlineData(3, -1, 2, QuorumStateKind.Voted)]     // the vote still binds
    [InlineData(3, 2, 2, QuorumStateKind.Follower)]   // follows the leader it knew
    [InlineData(3, -1, -1, QuorumStateKind.Unattached)]
    public void RestartResumesFromThePersistedState(int epoch, int leaderId, int votedId, QuorumStateKind expected)
    {
        var (quorum, effects) = Initialized(Persisted(epoch, leaderId, votedId));

        Assert.Equal(expected, quorum.Current.Kind);
        Assert.Equal(epoch, quorum.Epoch);
        Assert.Equal(votedId < 0 ? null : votedId, quorum.Current.VotedId);
        Assert.Empty(Persists(effects)); // nothing changed, nothing to write
    }

    [Fact]
    public void LogWithANewerEpochThanTheStateFileWins()
    {
        // Kafka's QuorumState.initialize: the state file may be older than the log (lost, or restored from backup).
        var (quorum, effects) = Initialized(Persisted(2, votedId: 2), logLastEpoch: 5);

        Assert.Equal((QuorumStateKind.Unattached, 5), (quorum.Current.Kind, quorum.Epoch));
        QuorumStateData written = Assert.Single(Persists(effects));
        Assert.Equal((5, -1, -1), (written.LeaderEpoch, written.LeaderId, written.VotedId));
    }

    [Fact]
    public void CandidacyBumpsTheEpochByOneAndPersistsTheSelfVote()
    {
        var (quorum, effects) = Initialized(Persisted(4));
        effects.Drain();
        ProspectiveState prospective = quorum.TransitionToProspective(0, effects);
        Assert.Empty(Persists(effects)); // pre-vote changes nothing durable

        prospective.Election.Record(2, granted: true);
        quorum.TransitionToCandidate(0, effects);
        QuorumStateData written = Assert.Single(Persists(effects));
        Assert.Equal((5, -1, 1), (written.LeaderEpoch, written.LeaderId, written.VotedId));
    }

    [Fact]
    public void CandidateWithoutAMajorityCannotLead()
    {
        var (quorum, effects) = Initialized(Persisted(4, votedId: 1));
        Assert.Equal(QuorumStateKind.Candidate, quorum.Current.Kind);

        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToLeader(0, 0, effects));
    }

    [Fact]
    public void ProspectiveWithoutAPreVoteMajorityCannotStand()
    {
        var (quorum, effects) = Initialized(Persisted(4));
        quorum.TransitionToProspective(0, effects);

        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToCandidate(0, effects));
    }

    [Fact]
    public void EpochNeverGoesBack()
    {
        var (quorum, effects) = Initialized(Persisted(4));

        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToUnattached(3, 0, effects));
        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToFollower(3, 2, 0, effects));
    }

    [Fact]
    public void LeaderStepsDownOnlyThroughResignationOrANewerEpoch()
    {
        var (quorum, effects) = Initialized(Persisted(4));
        quorum.TransitionToProspective(0, effects).Election.Record(2, granted: true);
        quorum.TransitionToCandidate(0, effects).Election.Record(2, granted: true);
        quorum.TransitionToLeader(0, 0, effects);

        // Two leaders in one epoch would break Raft's Election Safety.
        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToFollower(5, 2, 0, effects));
        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToProspective(0, effects));
        quorum.TransitionToFollower(6, 2, 0, effects);
        Assert.Equal((QuorumStateKind.Follower, 6), (quorum.Current.Kind, quorum.Epoch));
    }

    [Fact]
    public void FollowerKeepsTheVoteItCastInItsEpoch()
    {
        var (quorum, effects) = Initialized(Persisted(4, votedId: 3));
        effects.Drain();
        quorum.TransitionToFollower(4, 3, 0, effects);

        Assert.Equal(3, quorum.Current.VotedId);
        QuorumStateData written = Assert.Single(Persists(effects));
        Assert.Equal((4, 3, 3), (written.LeaderEpoch, written.LeaderId, written.VotedId));
        // A voter whose leader went quiet stands (via pre-vote); only an observer drops to unattached in its epoch.
        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToUnattached(4, 0, effects));
    }

    [Fact]
    public void ObserverOnlyEverFollowsOrWaits()
    {
        var (quorum, effects) = Initialized(null, localId: 9);

        Assert.False(quorum.IsVoter);
        Assert.Equal(long.MaxValue, quorum.Current.DeadlineMs);
        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToProspective(0, effects));
        Assert.Throws<InvalidOperationException>(() => quorum.TransitionToVoted(0, 2, 0, effects));
        quorum.TransitionToFollower(0, 2, 0, effects);
        quorum.TransitionToUnattached(0, 0, effects);
        Assert.Equal(QuorumStateKind.Unattached, quorum.Current.Kind);
    }

    [Fact]
    public void ElectionTimeoutIsRandomizedWithinOneTimeoutMore()
    {
        QuorumState quorum = Quorum();
        var timeouts = Enumerable.Range(0, 200).Select(_ => quorum.RandomElectionTimeoutMs()).ToList();

        Assert.All(timeouts, timeout => Assert.InRange(timeout, 1000, 1999));
        Assert.True(timeouts.Distinct().Count() > 50);
    }
}
