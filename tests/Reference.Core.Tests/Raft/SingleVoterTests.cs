using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Record = Reference.Protocol.Records.Record;

namespace Reference.Core.Tests.Raft;

/// <summary>A quorum of one: the combined broker+controller of the quickstart.</summary>
public sealed class SingleVoterTests
{
    [Fact]
    public void SoleVoterLeadsAsSoonAsItStarts()
    {
        var cluster = new RaftTestCluster(voterCount: 1);
        cluster.StartAll();

        RaftReplica replica = cluster[1].Replica;
        Assert.Equal(QuorumStateKind.Leader, replica.State);
        Assert.Equal(1, replica.Epoch);
        Assert.Equal(1, replica.ActiveControllerId);
        // Persisted as leader of epoch 1 before anything else could depend on it.
        Assert.Equal(1, cluster[1].Storage.QuorumState!.LeaderId);
        Assert.Equal(1, cluster[1].Storage.QuorumState!.LeaderEpoch);
    }

    [Fact]
    public void LeaderWritesLeaderChangeAsTheFirstBatchOfItsEpoch()
    {
        var cluster = new RaftTestCluster(voterCount: 1);
        cluster.StartAll();
        cluster.DeliverAll();

        ReadOnlyMemory<byte> log = cluster[1].Storage.Read(TopicPartition.ClusterMetadata, 0, long.MaxValue, int.MaxValue);
        Assert.True(new RecordBatchWalker(log).TryNext(out RecordBatchView batch));
        Assert.True(batch.Header.IsControl);
        Assert.Equal(1, batch.Header.PartitionLeaderEpoch);
        Record record = Assert.Single(RecordBatchDecoder.Decode(batch).Records);
        Assert.True(ControlRecordKey.TryDecode(record.Key!.Value.Span, out ControlRecordKey key));
        Assert.Equal(ControlRecordType.LeaderChange, key.Type);
        Assert.True(MessageBytes.TryDecode(record.Value!.Value, 0, out LeaderChangeMessage? message, out _));
        Assert.Equal(1, message!.LeaderId);
        Assert.Equal([1], message.GrantingVoters.Select(voter => voter.VoterId));
    }

    [Fact]
    public void ProposalCommitsOnceFlushedAndNotBefore()
    {
        var cluster = new RaftTestCluster(voterCount: 1);
        cluster.StartAll();
        cluster.DeliverAll();
        long committedBefore = cluster[1].Replica.HighWatermark;
        Assert.Equal(1, committedBefore); // the LeaderChange record, flushed

        cluster.HoldFlushes(1);
        ProposalResult result = cluster.Propose(1, "a", "b", "c");
        cluster.DeliverAll();

        Assert.True(result.IsAccepted);
        Assert.Equal((1L, 3L, 1), (result.BaseOffset, result.LastOffset, result.Epoch));
        Assert.Equal(4, cluster[1].Replica.LogEndOffset);
        // Raft's durability: an entry is committed only once on stable storage of a majority, here the one voter.
        Assert.Equal(committedBefore, cluster[1].Replica.HighWatermark);

        cluster.ReleaseFlushes(1);
        cluster.DeliverAll();
        Assert.Equal(4, cluster[1].Replica.HighWatermark);
    }

    [Fact]
    public void ProposalBatchCarriesTheEpochAndNullKeys()
    {
        var cluster = new RaftTestCluster(voterCount: 1);
        cluster.StartAll();
        cluster.Propose(1, "x", "y");
        cluster.DeliverAll();

        ReadOnlyMemory<byte> log = cluster[1].Storage.Read(TopicPartition.ClusterMetadata, 1, long.MaxValue, int.MaxValue);
        Assert.True(new RecordBatchWalker(log).TryNext(out RecordBatchView batch));
        Assert.False(batch.Header.IsControl);
        Assert.Equal(1, batch.Header.PartitionLeaderEpoch);
        Assert.Equal(1, batch.Header.BaseOffset);
        IReadOnlyList<Record> records = RecordBatchDecoder.Decode(batch).Records;
        Assert.Equal(["x", "y"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span)));
        Assert.All(records, r => Assert.Null(r.Key));
    }

    [Fact]
    public void RestartedSoleVoterLeadsANewEpochAndKeepsItsLog()
    {
        var cluster = new RaftTestCluster(voterCount: 1);
        cluster.StartAll();
        cluster.Propose(1, "kept");
        cluster.DeliverAll();
        cluster.Propose(1, "lost: never flushed");
        cluster.Crash(1);
        cluster.Start(1);
        cluster.DeliverAll();

        RaftReplica replica = cluster[1].Replica;
        Assert.Equal(QuorumStateKind.Leader, replica.State);
        // A leader cannot resume its epoch after a restart (Kafka resigns it); it wins the next one.
        Assert.Equal(2, replica.Epoch);
        // The LeaderChange of epoch 1, "kept", and the LeaderChange of epoch 2.
        Assert.Equal(3, replica.LogEndOffset);
        Assert.Equal(3, replica.HighWatermark);
    }

    [Fact]
    public void ProposalToANonLeaderIsRefusedWithoutEffects()
    {
        var cluster = new RaftTestCluster(voterCount: 3);
        cluster.StartAll();
        ProposalResult result = default;
        IReadOnlyList<NodeEffect> effects = cluster.Step(1, (replica, e) => result = replica.TryPropose([new byte[] { 1 }], cluster.NowMs, e));

        Assert.Equal(ProposalRejection.NotLeader, result.Rejection);
        Assert.Empty(effects);
    }

    [Fact]
    public void OversizedProposalIsRefused()
    {
        var cluster = new RaftTestCluster(voterCount: 1);
        cluster.StartAll();
        ProposalResult result = default;
        cluster.Step(1, (replica, e) => result = replica.TryPropose([new byte[RaftLimits.BatchSizeBytesMax + 1]], cluster.NowMs, e));

        Assert.Equal(ProposalRejection.BatchTooLarge, result.Rejection);
        Assert.Equal(1, cluster[1].Replica.LogEndOffset);
    }
}
