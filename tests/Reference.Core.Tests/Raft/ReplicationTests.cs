using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;

namespace Reference.Core.Tests.Raft;

/// <summary>Replication by fetching (KIP-595), the high watermark (Raft §5.3, §5.4.2) and log reconciliation.</summary>
public sealed class ReplicationTests
{
    private static RaftTestNode SettledLeader(RaftTestCluster cluster)
    {
        Assert.True(cluster.RunUntil(() => cluster.Leaders.Count == 1 && cluster.Nodes.All(node =>
            node.Replica.LeaderId == cluster.Leaders[0].Id && node.Replica.HighWatermark == cluster.Leaders[0].Replica.LogEndOffset)), cluster.ToString());
        return cluster.Leaders[0];
    }

    private static byte[] LogBytes(RaftTestNode node) =>
        node.Storage.Read(TopicPartition.ClusterMetadata, 0, long.MaxValue, int.MaxValue).ToArray();

    [Fact]
    public void FollowersAndObserversHoldTheLeadersLogByteForByte()
    {
        var cluster = new RaftTestCluster(voterCount: 3, observerCount: 2, seed: 3);
        cluster.StartAll();
        RaftTestNode leader = SettledLeader(cluster);
        for (int i = 0; i < 5; i++) cluster.Propose(leader.Id, $"record {i}", $"and {i}");

        Assert.True(cluster.RunUntil(() => cluster.Nodes.All(node => node.Replica.HighWatermark == leader.Replica.LogEndOffset)), cluster.ToString());
        Assert.Equal(11, leader.Replica.LogEndOffset);
        Assert.All(cluster.Nodes, node => Assert.Equal(LogBytes(leader), LogBytes(node)));
    }

    [Fact]
    public void HighWatermarkWaitsForAMajorityToFlush()
    {
        var cluster = new RaftTestCluster(voterCount: 3, seed: 4);
        cluster.StartAll();
        RaftTestNode leader = SettledLeader(cluster);
        RaftTestNode[] followers = cluster.Nodes.Where(node => node != leader).ToArray();
        long before = leader.Replica.HighWatermark;
        foreach (RaftTestNode follower in followers) cluster.HoldFlushes(follower.Id);

        cluster.Propose(leader.Id, "not yet durable anywhere but the leader");
        cluster.RunFor(3 * RaftLimits.FetchWaitMsMax);
        // The followers hold the batch, unflushed; the leader alone is no majority.
        Assert.All(followers, follower => Assert.Equal(leader.Replica.LogEndOffset, follower.Replica.LogEndOffset));
        Assert.Equal(before, leader.Replica.HighWatermark);

        cluster.ReleaseFlushes(followers[0].Id);
        Assert.True(cluster.RunUntil(() => leader.Replica.HighWatermark == leader.Replica.LogEndOffset), cluster.ToString());
    }

    [Fact]
    public void MajorityOfFollowersCommitsEvenWhileTheLeadersOwnFlushLags()
    {
        // The leader's own end counts only once flushed; a majority of two flushed followers is a majority still.
        var cluster = new RaftTestCluster(voterCount: 3, seed: 5);
        cluster.StartAll();
        RaftTestNode leader = SettledLeader(cluster);
        cluster.HoldFlushes(leader.Id);

        cluster.Propose(leader.Id, "durable on the followers first");
        Assert.True(cluster.RunUntil(() => leader.Replica.HighWatermark == leader.Replica.LogEndOffset), cluster.ToString());
        Assert.True(leader.Replica.DurableEndOffset < leader.Replica.LogEndOffset);
    }

    [Fact]
    public void ObserversNeverCountTowardTheHighWatermark()
    {
        var cluster = new RaftTestCluster(voterCount: 3, observerCount: 3, seed: 6);
        cluster.StartAll();
        RaftTestNode leader = SettledLeader(cluster);
        long before = leader.Replica.HighWatermark;
        foreach (RaftTestNode follower in cluster.Nodes.Where(node => node.Replica.IsVoter && node != leader)) cluster.HoldFlushes(follower.Id);

        cluster.Propose(leader.Id, "observers flush at once");
        cluster.RunFor(3 * RaftLimits.FetchWaitMsMax);

        Assert.All(cluster.Nodes.Where(node => !node.Replica.IsVoter), observer => Assert.Equal(leader.Replica.LogEndOffset, observer.Replica.LogEndOffset));
        Assert.Equal(before, leader.Replica.HighWatermark);
    }

    [Fact]
    public void PartitionedLeadersUncommittedEntriesAreTruncatedByTheNewLeadersDivergingEpoch()
    {
        var cluster = new RaftTestCluster(voterCount: 3, seed: 7);
        cluster.StartAll();
        RaftTestNode old = SettledLeader(cluster);
        cluster.Propose(old.Id, "committed before the partition");
        Assert.True(cluster.RunUntil(() => cluster.Nodes.All(node => node.Replica.HighWatermark == old.Replica.LogEndOffset)));
        long committed = old.Replica.HighWatermark;

        cluster.Isolate(old.Id);
        ProposalResult doomed = cluster.Propose(old.Id, "never committed", "also never committed");
        Assert.True(doomed.IsAccepted);
        Assert.True(cluster.RunUntil(() => cluster.Leaders.Any(node => node != old)), cluster.ToString());
        RaftTestNode successor = cluster.Leaders.Single(node => node != old);
        cluster.Propose(successor.Id, "the new epoch's record");
        Assert.True(cluster.RunUntil(() => successor.Replica.HighWatermark == successor.Replica.LogEndOffset));
        Assert.Equal(committed, old.Replica.HighWatermark);

        cluster.Heal();
        Assert.True(cluster.RunUntil(() => old.Replica.LeaderId == successor.Id && old.Replica.HighWatermark == successor.Replica.LogEndOffset), cluster.ToString());

        // The old leader cut its own epoch's tail on the new leader's DivergingEpoch and took the new log.
        Assert.Contains(old.History, effect => effect is NodeEffect.TruncateLog { EndOffset: var end } && end == doomed.BaseOffset);
        Assert.Equal(LogBytes(successor), LogBytes(old));
        Assert.True(successor.Replica.LogEndOffset > committed);
    }

    [Fact]
    public void FollowerReportsOnlyWhatItHasFlushed()
    {
        var cluster = new RaftTestCluster(voterCount: 3, seed: 8);
        cluster.StartAll();
        RaftTestNode leader = SettledLeader(cluster);
        RaftTestNode follower = cluster.Nodes.First(node => node != leader);
        cluster.HoldFlushes(follower.Id);
        cluster.Propose(leader.Id, "held in the follower's page cache");
        Assert.True(cluster.RunUntil(() => follower.Replica.LogEndOffset == leader.Replica.LogEndOffset));
        int fetchesBefore = Fetches(follower);

        cluster.RunFor(5_000);

        // It appended the batch and then sent no fetch at all, through a fetch timeout and a failed pre-vote:
        // its next fetch would claim the batch durable.
        Assert.Equal(fetchesBefore, Fetches(follower));
        Assert.True(follower.Replica.DurableEndOffset < leader.Replica.LogEndOffset);
        cluster.ReleaseFlushes(follower.Id);
        Assert.True(cluster.RunUntil(() => Fetches(follower) > fetchesBefore && leader.Replica.HighWatermark == leader.Replica.LogEndOffset));
    }

    private static int Fetches(RaftTestNode node) =>
        node.History.Count(effect => effect is NodeEffect.SendRequest { Body: Protocol.Messages.FetchRequest });
}
