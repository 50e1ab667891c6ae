using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;

namespace Reference.Core.Tests.Raft;

/// <summary>Elections across a cluster (Raft §5.2, KIP-595, KIP-996), with Kafka's default timeouts.</summary>
public sealed class ElectionTests
{
    private static bool Settled(RaftTestCluster cluster) =>
        cluster.Leaders.Count == 1 && cluster.Nodes.Where(node => node.IsUp).All(node =>
            node.Replica.Epoch == cluster.Leaders[0].Replica.Epoch && node.Replica.LeaderId == cluster.Leaders[0].Id &&
            node.Replica.State is QuorumStateKind.Leader or QuorumStateKind.Follower);

    [Theory]
    [InlineData(2, 1UL)]
    [InlineData(3, 1UL)]
    [InlineData(3, 2UL)]
    [InlineData(5, 3UL)]
    public void VotersElectExactlyOneLeaderWhomEveryoneFollows(int voterCount, ulong seed)
    {
        var cluster = new RaftTestCluster(voterCount, observerCount: 1, seed);
        cluster.StartAll();

        Assert.True(cluster.RunUntil(() => Settled(cluster)), cluster.ToString());
        RaftTestNode leader = cluster.Leaders[0];
        // The observer follows too, and learns the commit of the leader's first entry.
        Assert.True(cluster.RunUntil(() => cluster.Nodes.All(node => node.Replica.HighWatermark == leader.Replica.LogEndOffset)), cluster.ToString());
        Assert.All(cluster.Nodes, node => Assert.Equal(leader.Id, node.Replica.ActiveControllerId));
    }

    [Fact]
    public void NewLeaderTakesOverWithAHigherEpochWhenTheLeaderFails()
    {
        var cluster = new RaftTestCluster(voterCount: 3, seed: 5);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => Settled(cluster)));
        RaftTestNode old = cluster.Leaders[0];
        int oldEpoch = old.Replica.Epoch;
        cluster.Propose(old.Id, "before the crash");
        Assert.True(cluster.RunUntil(() => cluster.Nodes.All(node => node.Replica.HighWatermark == old.Replica.LogEndOffset)));
        long committed = old.Replica.HighWatermark;

        cluster.Crash(old.Id);
        Assert.True(cluster.RunUntil(() => Settled(cluster)), cluster.ToString());

        RaftTestNode successor = cluster.Leaders[0];
        Assert.NotEqual(old.Id, successor.Id);
        Assert.True(successor.Replica.Epoch > oldEpoch);
        // Leader Completeness (Raft §5.4): what was committed is in the new leader's log and stays committed.
        Assert.True(cluster.RunUntil(() => successor.Replica.HighWatermark > committed));
        cluster.Start(old.Id);
        Assert.True(cluster.RunUntil(() => Settled(cluster) && old.Replica.HighWatermark == successor.Replica.LogEndOffset), cluster.ToString());
    }

    [Fact]
    public void GracefulResignationHandsOverWithoutWaitingForATimeout()
    {
        var cluster = new RaftTestCluster(voterCount: 3, seed: 11);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => Settled(cluster)));
        RaftTestNode old = cluster.Leaders[0];
        int oldEpoch = old.Replica.Epoch;

        cluster.Step(old.Id, (replica, effects) => Assert.True(replica.Resign(cluster.NowMs, effects)));
        Assert.Equal(QuorumStateKind.Resigned, old.Replica.State);
        long resignedAtMs = cluster.NowMs;

        Assert.True(cluster.RunUntil(() => cluster.Leaders.Count == 1 && cluster.Leaders[0].Id != old.Id), cluster.ToString());
        // EndQuorumEpoch lets the preferred successor stand at once instead of after a fetch timeout (KIP-595).
        Assert.True(cluster.NowMs - resignedAtMs < cluster[1].Config.QuorumFetchTimeoutMs, $"took {cluster.NowMs - resignedAtMs} ms");
        Assert.Equal(oldEpoch + 1, cluster.Leaders[0].Replica.Epoch);
    }

    [Fact]
    public void IsolatedFollowerDoesNotBumpTheEpochWhileTheLeaderLives()
    {
        // KIP-996: "a server that is partitioned ... will not be able to disrupt the cluster" once it rejoins.
        var cluster = new RaftTestCluster(voterCount: 3, seed: 21);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => Settled(cluster)));
        RaftTestNode leader = cluster.Leaders[0];
        int epoch = leader.Replica.Epoch;
        RaftTestNode loner = cluster.Nodes.First(node => node.Id != leader.Id);

        cluster.Isolate(loner.Id);
        cluster.RunFor(10_000);
        // It stood, again and again, but never past a pre-vote: its epoch did not move.
        Assert.Contains(loner.History, effect => effect is Node.NodeEffect.SendRequest { Body: Protocol.Messages.VoteRequest });
        Assert.Equal(epoch, loner.Replica.Epoch);

        cluster.Heal();
        Assert.True(cluster.RunUntil(() => Settled(cluster)));
        Assert.Same(leader, cluster.Leaders[0]);
        Assert.Equal(epoch, leader.Replica.Epoch);
        Assert.Equal(epoch, cluster.Invariants.LeaderOfEpoch.Keys.Max());
    }

    [Fact]
    public void VoterCutOffFromTheLeaderAloneCannotUnseatIt()
    {
        // KIP-996's motivating case: a voter that loses only its link to the leader stands again and again;
        // the other follower still fetches from the leader, so it refuses the pre-vote and no epoch is bumped.
        var cluster = new RaftTestCluster(voterCount: 3, seed: 23);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => Settled(cluster)));
        RaftTestNode leader = cluster.Leaders[0];
        int epoch = leader.Replica.Epoch;
        RaftTestNode[] followers = cluster.Nodes.Where(node => node != leader).ToArray();

        cluster.Cut(followers[0].Id, leader.Id);
        cluster.RunFor(15_000);

        Assert.Contains(followers[0].History, effect => effect is Node.NodeEffect.SendRequest { ToNodeId: var to, Body: Protocol.Messages.VoteRequest } && to == followers[1].Id);
        Assert.Equal(epoch, followers[0].Replica.Epoch);
        Assert.True(leader.Replica.IsLeader);
        Assert.Equal(epoch, leader.Replica.Epoch);
        // And the cluster went on committing meanwhile.
        cluster.Propose(leader.Id, "still committing");
        Assert.True(cluster.RunUntil(() => followers[1].Replica.HighWatermark == leader.Replica.LogEndOffset));
    }

    [Fact]
    public void LeaderCutOffFromTheQuorumResignsByCheckQuorum()
    {
        var cluster = new RaftTestCluster(voterCount: 3, seed: 31);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => Settled(cluster)));
        RaftTestNode leader = cluster.Leaders[0];
        long isolatedAtMs = cluster.NowMs;

        cluster.Isolate(leader.Id);
        Assert.True(cluster.RunUntil(() => !leader.Replica.IsLeader), cluster.ToString());

        // Kafka's check-quorum: no majority fetched within 1.5 fetch timeouts.
        long fetchTimeoutMs = leader.Config.QuorumFetchTimeoutMs;
        Assert.InRange(cluster.NowMs - isolatedAtMs, fetchTimeoutMs, fetchTimeoutMs * 3 / 2 + fetchTimeoutMs);
        Assert.Equal(QuorumStateKind.Resigned, leader.Replica.State);
        Assert.Null(leader.Replica.ActiveControllerId);
        // Meanwhile the majority elected another.
        Assert.True(cluster.RunUntil(() => cluster.Leaders.Any(other => other.Id != leader.Id)), cluster.ToString());
    }

    [Fact]
    public void LaggingVoterCannotWinAgainstOneThatHoldsTheCommittedEntries()
    {
        // Raft §5.4.1: the voting rule keeps a candidate without all committed entries from winning.
        var cluster = new RaftTestCluster(voterCount: 3, seed: 41);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => Settled(cluster)));
        RaftTestNode leader = cluster.Leaders[0];
        RaftTestNode laggard = cluster.Nodes.First(node => node.Id != leader.Id);
        RaftTestNode upToDate = cluster.Nodes.First(node => node.Id != leader.Id && node.Id != laggard.Id);

        cluster.Isolate(laggard.Id);
        cluster.Propose(leader.Id, "the laggard never saw this");
        Assert.True(cluster.RunUntil(() => leader.Replica.HighWatermark == leader.Replica.LogEndOffset));
        long committed = leader.Replica.HighWatermark;
        cluster.Crash(leader.Id);
        cluster.Heal();

        Assert.True(cluster.RunUntil(() => Settled(cluster)), cluster.ToString());
        Assert.Same(upToDate, cluster.Leaders[0]);
        Assert.True(cluster.RunUntil(() => laggard.Replica.HighWatermark >= committed));
    }

    [Fact]
    public void AReplicaThatLedAnEpochNeverStandsAgainInItAfterALostPreVoteAndARestart()
    {
        // Raft's Election Safety: one leader per epoch, and that leader wins it once. A resigned leader whose
        // pre-vote failed once went back to "voted for itself, no leader" in its own epoch; a restart read that
        // as a candidacy to resume and won the same epoch again with a different log (RaftProperties seed
        // 463473415, 2 voters, 1 observer).
        var replica = new ReplicaUnderTest(nodeId: 1, voterCount: 3, ReplicaUnderTest.StorageWithBatches(1, 2));
        replica.Storage.Apply(new Node.NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 2, leaderId: 1, votedId: 1)));
        replica.Start();
        Assert.Equal((QuorumStateKind.Resigned, 2), (replica.Replica.State, replica.Replica.Epoch));

        replica.Tick(replica.Replica.NextDeadlineMs);
        Assert.Equal(QuorumStateKind.Prospective, replica.Replica.State);
        Assert.Equal((2, 1, 1), (replica.Storage.QuorumState!.LeaderEpoch, replica.Storage.QuorumState.LeaderId, replica.Storage.QuorumState.VotedId));
        replica.CrashAndRestart();
        Assert.Equal((QuorumStateKind.Resigned, 2), (replica.Replica.State, replica.Replica.Epoch));

        replica.Tick(replica.Replica.NextDeadlineMs); // prospective again
        replica.Tick(replica.Replica.NextDeadlineMs); // no answers: the pre-vote round is lost
        Assert.Equal((QuorumStateKind.Resigned, 2), (replica.Replica.State, replica.Replica.Epoch));
        replica.CrashAndRestart();
        Assert.Equal((QuorumStateKind.Resigned, 2), (replica.Replica.State, replica.Replica.Epoch));
    }
}
