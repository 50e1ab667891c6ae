using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Core.Tests.NodeComposition;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Replication;

/// <summary>
/// Follower replication between real nodes (<see cref="ReplicationCluster"/>): followers fetch from the
/// partition leader and hold its batches byte for byte, acks=all waits for the ISR, the ISR shrinks and
/// grows again through AlterPartition, and after a leader change the old leader cuts the tail the new one
/// never had (KIP-101, KIP-320's DivergingEpoch).
/// </summary>
public sealed class FollowerReplicationTests
{
    private static readonly TopicPartition T0 = new("t", 0);

    private static ReplicationCluster StartCluster(Func<NodeConfig, NodeConfig>? configure = null)
    {
        var cluster = new ReplicationCluster(3, configure);
        cluster.RunFor(5_000); // a quorum leader, and every broker registered and unfenced
        var create = new CreateTopicsRequest
        {
            TimeoutMs = 10_000,
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = T0.Topic, NumPartitions = 1, ReplicationFactor = 3 }],
        };
        CreateTopicsResponse answer = cluster.Send<CreateTopicsResponse>(1, create, 4);
        Assert.Equal((short)ErrorCode.None, answer.Topics.Single().ErrorCode);
        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => cluster.Members.All(m => m.Partition(T0) is { LeaderId: >= 0 })),
            "every replica hosts the new partition");
        return cluster;
    }

    private static PartitionRegistration Registration(ReplicationCluster cluster, int viewedFrom = 1) =>
        cluster[viewedFrom].Node.Metadata.Topic(T0.Topic)!.Partition(0)!;

    private static int Leader(ReplicationCluster cluster) =>
        cluster.Members.Select(m => m.Partition(T0)).OfType<PartitionSnapshot>().Single(p => p.Role == ReplicaRole.Leader).LeaderId;

    private static ProduceResponse.PartitionProduceResponse Produce(ReplicationCluster cluster, int nodeId, string value, short acks)
    {
        var request = new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 10_000,
            TopicData = [new ProduceRequest.TopicProduceData
            {
                Name = T0.Topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = NodeRequests.Batch([value, value + "-2"]) }],
            }],
        };
        return cluster.Send<ProduceResponse>(nodeId, request, 7).Responses.Single().PartitionResponses.Single();
    }

    private static byte[] LogBytes(ReplicationCluster.Member member) =>
        member.Disk.Read(T0, 0, long.MaxValue, int.MaxValue).ToArray();

    private static bool AllCaughtUp(ReplicationCluster cluster)
    {
        // A restarted member hosts nothing until its new registration is in the image: not caught up yet.
        var partitions = cluster.Members.Where(m => m.IsUp).Select(m => m.Partition(T0)).ToList();
        return partitions.All(p => p is not null && p.LogEndOffset == partitions[0]!.LogEndOffset && p.HighWatermark == p.LogEndOffset);
    }

    /// <summary>
    /// A replica fetch names where it goes: the leader's endpoint on inter.broker.listener.name, as the leader
    /// registered it (Kafka's ReplicaFetcherThread connects there), chosen by name and not by position; the
    /// shell knows no other address for a broker-only leader. Raft's requests carry none.
    /// </summary>
    [Fact]
    public void AReplicaFetchCarriesTheLeadersRegisteredInterBrokerEndpoint()
    {
        ReplicationCluster cluster = StartCluster(config => config with
        {
            AdvertisedBrokerEndpoints = [config.AdvertisedBrokerEndpoints[0], new Endpoint("REPLICATION", $"replica-{config.NodeId}", 19_000 + config.NodeId)],
            InterBrokerListenerName = "REPLICATION",
        });
        int leader = Leader(cluster);
        Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, "v", acks: -1).ErrorCode);

        var replicaFetches = cluster.History.Select(e => e.Effect).OfType<NodeEffect.SendRequest>()
            .Where(send => PeerChannels.For(send.Body) == PeerChannel.Replication).ToList();
        Assert.NotEmpty(replicaFetches);
        Assert.All(replicaFetches, send => Assert.Equal(new Endpoint("REPLICATION", $"replica-{send.ToNodeId}", 19_000 + send.ToNodeId), send.Address));
        Assert.Contains(replicaFetches, send => send.ToNodeId == leader);
        Assert.All(cluster.History.Select(e => e.Effect).OfType<NodeEffect.SendRequest>().Where(send => PeerChannels.For(send.Body) != PeerChannel.Replication),
            send => Assert.Null(send.Address));
    }

    [Fact]
    public void FollowersHoldTheLeadersBatchesByteForByteAndFollowItsHighWatermark()
    {
        ReplicationCluster cluster = StartCluster();
        int leader = Leader(cluster);
        for (int i = 0; i < 5; i++) Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, $"v{i}", acks: 1).ErrorCode);

        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => AllCaughtUp(cluster)), "the followers catch up with the leader");
        Assert.All(cluster.Members, m => Assert.Equal(10, m.Partition(T0)!.LogEndOffset));
        byte[] leaderLog = LogBytes(cluster[leader]);
        Assert.All(cluster.Members, m => Assert.Equal(leaderLog, LogBytes(m)));
        Assert.All(cluster.Members, m => Assert.Equal([1, 2, 3], m.Partition(T0)!.Isr));
        // Replica fetches travel on their own channel, never on Raft's.
        Assert.Contains(cluster.History, e => e.Effect is NodeEffect.SendRequest { Body: FetchRequest } send && PeerChannels.For(send.Body) == PeerChannel.Replication);
    }

    [Fact]
    public void AcksAllIsAnsweredOnlyOnceEveryIsrFollowerHoldsTheBatch()
    {
        ReplicationCluster cluster = StartCluster();
        int leader = Leader(cluster);
        ProduceResponse.PartitionProduceResponse answer = Produce(cluster, leader, "all", acks: -1);

        Assert.Equal((short)ErrorCode.None, answer.ErrorCode);
        long lastOffset = answer.BaseOffset + 1;
        // At the moment the producer hears back, every ISR member already has the batch in its log.
        Assert.All(cluster.Members, m => Assert.True(m.Partition(T0)!.LogEndOffset > lastOffset, $"node {m.Id} lacks offset {lastOffset}"));
        Assert.True(cluster[leader].Partition(T0)!.HighWatermark > lastOffset);
    }

    [Fact]
    public void ALaggingFollowerLeavesTheIsrAndRejoinsItOnceCaughtUp()
    {
        ReplicationCluster cluster = StartCluster(c => c with { ReplicaLagTimeMaxMs = 1_000, BrokerSessionTimeoutMs = 60_000 });
        int leader = Leader(cluster);
        int lagging = cluster.Members.Select(m => m.Id).First(id => id != leader && id != cluster[leader].Node.Raft.LeaderId);
        cluster.Isolate(lagging);
        Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, "while-away", acks: 1).ErrorCode);

        Assert.True(cluster.RunUntil(cluster.NowMs + 10_000, () => !Registration(cluster, leader).Isr.Contains(lagging)),
            "the leader's AlterPartition drops the silent follower from the ISR");
        // acks=all now needs only the ISR that is left.
        Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, "without-it", acks: -1).ErrorCode);

        cluster.Heal(lagging);
        Assert.True(cluster.RunUntil(cluster.NowMs + 10_000, () => Registration(cluster, leader).Isr.Contains(lagging)),
            "the follower catches up and the leader adds it back");
        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => AllCaughtUp(cluster)));
        Assert.Equal(LogBytes(cluster[leader]), LogBytes(cluster[lagging]));
        Assert.Contains(cluster.History, e => e.NodeId == leader && e.Effect is NodeEffect.SendRequest { Body: AlterPartitionRequest });
    }

    [Fact]
    public void AnOldLeaderCutsTheTailTheNewLeaderNeverHadAndFollowsIt()
    {
        ReplicationCluster cluster = StartCluster(c => c with { BrokerSessionTimeoutMs = 3_000 });
        int oldLeader = Leader(cluster);
        Assert.Equal((short)ErrorCode.None, Produce(cluster, oldLeader, "committed", acks: -1).ErrorCode);
        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => AllCaughtUp(cluster)));
        int oldEpoch = Registration(cluster, oldLeader).LeaderEpoch;

        // Cut off, the old leader still takes an acks=1 write nobody else will ever see.
        cluster.Isolate(oldLeader);
        Assert.Equal((short)ErrorCode.None, Produce(cluster, oldLeader, "lost", acks: 1).ErrorCode);
        Assert.Equal(4, cluster[oldLeader].Partition(T0)!.LogEndOffset);

        // The controller fences it and elects another ISR member, which takes new writes.
        int other = cluster.Members.Select(m => m.Id).First(id => id != oldLeader);
        Assert.True(cluster.RunUntil(cluster.NowMs + 20_000, () => Registration(cluster, other) is { Leader: >= 0 } r && r.Leader != oldLeader),
            "a new partition leader is elected");
        int newLeader = Registration(cluster, other).Leader;
        Assert.True(Registration(cluster, other).LeaderEpoch > oldEpoch);
        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => cluster[newLeader].Partition(T0)!.Role == ReplicaRole.Leader));
        Assert.Equal((short)ErrorCode.None, Produce(cluster, newLeader, "after", acks: -1).ErrorCode);
        Assert.Equal((short)ErrorCode.None, Produce(cluster, newLeader, "after-more", acks: -1).ErrorCode);

        cluster.Heal(oldLeader);
        Assert.True(cluster.RunUntil(cluster.NowMs + 30_000, () => cluster[oldLeader].Partition(T0) is { Role: ReplicaRole.Follower } p
            && p.LogEndOffset == cluster[newLeader].Partition(T0)!.LogEndOffset), "the old leader follows the new one and catches up");
        Assert.Contains(cluster.History, e => e.NodeId == oldLeader && e.Effect is NodeEffect.TruncateLog { EndOffset: 2 } cut && cut.Log == T0);
        Assert.Equal(LogBytes(cluster[newLeader]), LogBytes(cluster[oldLeader]));
        Assert.Equal(6, cluster[newLeader].Partition(T0)!.LogEndOffset);
    }

    [Fact]
    public void ALeaderRestartedAfterAPowerCutDoesNotLeadWhatItLost()
    {
        // The simulator's seed 227: the leader lost its unflushed log and came back before the controller had
        // fenced it. Acting on the image it replayed, it led again in the same epoch with an empty log, its
        // followers truncated to it, and the acknowledged writes (there: committed offsets) were gone.
        ReplicationCluster cluster = StartCluster();
        int leader = Leader(cluster);
        for (int i = 0; i < 3; i++) Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, $"v{i}", acks: -1).ErrorCode);
        Assert.Equal(6, cluster[leader].Partition(T0)!.HighWatermark);

        cluster.Kill(leader);
        Assert.True(cluster[leader].Disk.Extent(T0).EndOffset < 6, "the power cut took what the leader had not flushed");
        cluster.Restart(leader);
        // Until its new registration is in, the image still shows its old incarnation active: it does not list itself.
        var early = cluster.Send<MetadataResponse>(leader, new MetadataRequest { Topics = null }, 8);
        Assert.DoesNotContain(early.Brokers, b => b.NodeId == leader);
        Assert.True(cluster.RunUntil(cluster.NowMs + 60_000, () => cluster[leader].Partition(T0) is { Role: ReplicaRole.Follower } && AllCaughtUp(cluster)),
            "the restarted node follows the new leader and catches up");

        Assert.DoesNotContain(cluster.History, e => e.Effect is NodeEffect.TruncateLog { EndOffset: < 6 } cut && cut.Log == T0);
        Assert.All(cluster.Members, m => Assert.Equal(6, m.Partition(T0)!.LogEndOffset));
        int newLeader = cluster[leader].Partition(T0)!.LeaderId;
        Assert.NotEqual(leader, newLeader);
        Assert.Equal(LogBytes(cluster[newLeader]), LogBytes(cluster[leader]));
        Assert.True(cluster.RunUntil(cluster.NowMs + 20_000, () => cluster[leader].Node.Metadata.IsActiveBroker(leader)), "the new incarnation is unfenced");
        Assert.Contains(cluster.Send<MetadataResponse>(leader, new MetadataRequest { Topics = null }, 8).Brokers, b => b.NodeId == leader);
    }

    [Fact]
    public void AFollowerRestartedAfterAPowerCutRefetchesWhatItLost()
    {
        ReplicationCluster cluster = StartCluster(c => c with { BrokerSessionTimeoutMs = 60_000 });
        int leader = Leader(cluster);
        int follower = cluster.Members.Select(m => m.Id).First(id => id != leader);
        for (int i = 0; i < 3; i++) Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, $"v{i}", acks: -1).ErrorCode);

        cluster.Kill(follower); // nothing was flushed on the follower: its log is gone
        cluster.Restart(follower);
        // The new incarnation hosts nothing until its registration is in the image, which the controller accepts
        // only once the old session ran out (DUPLICATE_BROKER_REGISTRATION before): up to the session timeout, plus
        // the lifecycle's registration backoff (at most half the session timeout).
        Assert.True(cluster.RunUntil(cluster.NowMs + 60_000 + 30_000 + 20_000, () => AllCaughtUp(cluster)), "the restarted follower fetches everything again");
        Assert.Equal(LogBytes(cluster[leader]), LogBytes(cluster[follower]));
    }

    /// <summary>
    /// The museum's <see cref="ReintroducedBugs.UncleanLeaderElection"/> end to end: with replication factor 2,
    /// the follower dies, a write is acknowledged by the leader alone (the ISR is down to it), the leader dies,
    /// and the follower comes back. Clean, the partition waits for its last ISR member; unclean, the stale
    /// follower leads and the acknowledged write is gone (Jepsen's 2013 finding).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnlyAnUncleanElectionLosesAWriteTheLastIsrMemberAcknowledged(bool unclean)
    {
        var cluster = new ReplicationCluster(3, c => c with
        {
            BrokerSessionTimeoutMs = 3_000,
            ReplicaLagTimeMaxMs = 1_000, // else the dead follower, caught up until it died, holds the HW back that long
            ReintroducedBugs = unclean ? ReintroducedBugs.UncleanLeaderElection : ReintroducedBugs.None,
        });
        cluster.RunFor(5_000);
        var create = new CreateTopicsRequest
        {
            TimeoutMs = 10_000,
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = T0.Topic, NumPartitions = 1, ReplicationFactor = 2 }],
        };
        Assert.Equal((short)ErrorCode.None, cluster.Send<CreateTopicsResponse>(1, create, 4).Topics.Single().ErrorCode);
        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => cluster.Members.Any(m => m.Partition(T0) is { Role: ReplicaRole.Leader })));
        int leader = Leader(cluster);
        int follower = Registration(cluster, leader).Replicas.Single(id => id != leader);
        Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, "before", acks: -1).ErrorCode);

        cluster.Kill(follower);
        Assert.True(cluster.RunUntil(cluster.NowMs + 15_000, () => Registration(cluster, leader).Isr.SequenceEqual([leader])), "the dead follower leaves the ISR");
        Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, "acknowledged", acks: -1).ErrorCode);
        long acknowledgedEnd = cluster[leader].Partition(T0)!.LogEndOffset;

        cluster.Kill(leader);
        cluster.Restart(follower);
        int witness = cluster.Members.Select(m => m.Id).Single(id => id != leader && id != follower);
        Assert.True(cluster.RunUntil(cluster.NowMs + 20_000, () => cluster[witness].Node.Metadata.Broker(leader) is { Fenced: true }
            && cluster[witness].Node.Metadata.Broker(follower) is { Fenced: false }), "the old leader is fenced and the follower is back");
        cluster.RunFor(2_000);

        PartitionRegistration after = Registration(cluster, witness);
        if (!unclean)
        {
            // KIP-966: the ISR empties and the old leader waits in the ELR for its return.
            Assert.Equal((PartitionRegistration.NoLeader, 0, leader), (after.Leader, after.Isr.Length, after.EligibleLeaderReplicas.Single()));
            return;
        }
        Assert.Equal(follower, after.Leader);
        Assert.True(cluster[follower].Partition(T0)!.LogEndOffset < acknowledgedEnd, "the new leader lacks the acknowledged write");
    }

    /// <summary>
    /// KIP-966's "last replica standing" end to end, the museum's <see cref="ReintroducedBugs.LastReplicaStanding"/>:
    /// replication factor 2 with min.insync.replicas 2, a write acknowledged by both, the follower cut off (it
    /// leaves the ISR, its disk keeps the write), then a power cut on the leader takes the write from its disk.
    /// With eligible leader replicas the follower waits in the ELR and is elected, and the write survives; with
    /// Kafka 3.9's rule the leader stays the ISR's last member, leads again after its restart, and the follower
    /// truncates the acknowledged write to the restarted leader's log.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnlyTheLastReplicaStandingSwitchLosesAWriteTheElrMemberHeld(bool bug)
    {
        var cluster = new ReplicationCluster(3, c => c with
        {
            BrokerSessionTimeoutMs = 3_000,
            ReplicaLagTimeMaxMs = 1_000,
            ReintroducedBugs = bug ? ReintroducedBugs.LastReplicaStanding : ReintroducedBugs.None,
        });
        cluster.RunFor(5_000);
        var topic = new CreateTopicsRequest.CreatableTopic { Name = T0.Topic, NumPartitions = 1, ReplicationFactor = 2 };
        topic.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = "min.insync.replicas", Value = "2" });
        var create = new CreateTopicsRequest { TimeoutMs = 10_000, Topics = [topic] };
        Assert.Equal((short)ErrorCode.None, cluster.Send<CreateTopicsResponse>(1, create, 4).Topics.Single().ErrorCode);
        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => cluster.Members.Any(m => m.Partition(T0) is { Role: ReplicaRole.Leader })));
        int leader = Leader(cluster);
        int follower = Registration(cluster, leader).Replicas.Single(id => id != leader);
        int witness = cluster.Members.Select(m => m.Id).Single(id => id != leader && id != follower);
        Assert.Equal((short)ErrorCode.None, Produce(cluster, leader, "acknowledged", acks: -1).ErrorCode);
        long acknowledgedEnd = cluster[leader].Partition(T0)!.LogEndOffset;
        Assert.True(cluster.RunUntil(cluster.NowMs + 5_000, () => cluster[follower].Partition(T0)!.LogEndOffset == acknowledgedEnd));

        cluster.Isolate(follower);
        Assert.True(cluster.RunUntil(cluster.NowMs + 15_000, () => Registration(cluster, witness).Isr.SequenceEqual([leader])), "the cut-off follower leaves the ISR");
        Assert.Equal(bug ? [] : [follower], Registration(cluster, witness).EligibleLeaderReplicas.ToArray());
        cluster.Kill(leader); // nothing was flushed: the acknowledged write leaves the leader's disk
        cluster.Heal(follower);
        cluster.Restart(leader);
        Assert.True(cluster.RunUntil(cluster.NowMs + 30_000, () => Registration(cluster, witness).HasLeader
            && cluster[witness].Node.Metadata.IsActiveBroker(leader) && cluster[witness].Node.Metadata.IsActiveBroker(follower)), "a leader is elected and both brokers are back");
        cluster.RunFor(5_000);

        PartitionRegistration after = Registration(cluster, witness);
        Assert.Equal(bug ? leader : follower, after.Leader);
        if (bug)
        {
            Assert.True(cluster[follower].Partition(T0)!.LogEndOffset < acknowledgedEnd, "the follower truncated the acknowledged write away");
            return;
        }
        Assert.Equal(acknowledgedEnd, cluster[follower].Partition(T0)!.LogEndOffset);
        Assert.Equal(acknowledgedEnd, cluster[leader].Partition(T0)!.LogEndOffset); // the restarted broker fetched it back
    }
}
