using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Raft.Harness;

/// <summary>
/// The safety properties of Kafka's RaftEventSimulationTest, checked after every event of a test cluster:
/// SingleLeader, MonotonicEpoch, MonotonicHighWatermark, MajorityReachedHighWatermark and
/// ConsistentCommittedData; plus this project's persist-before-promise rule for votes. A violation throws,
/// naming the cluster's state.
/// </summary>
internal sealed class RaftInvariants(IReadOnlyList<int> voterIds)
{
    private readonly SortedDictionary<int, int> _leaderOfEpoch = new();
    private readonly SortedDictionary<long, (long NextOffset, uint Crc)> _committedBatches = new();
    private readonly Dictionary<(int Node, int Incarnation), long> _highWatermarks = new();
    private readonly Dictionary<(int Node, int Incarnation), long> _checkedUpTo = new();
    private readonly Dictionary<int, int> _epochs = new();

    /// <summary>Each epoch's leader, as observed; a test can ask who led which epoch.</summary>
    public IReadOnlyDictionary<int, int> LeaderOfEpoch => _leaderOfEpoch;

    /// <summary>The committed batches seen so far, by base offset.</summary>
    public int CommittedBatchCount => _committedBatches.Count;

    public void Check(RaftTestCluster cluster)
    {
        foreach (RaftTestNode node in cluster.Nodes.Where(node => node.IsUp))
        {
            RaftReplica replica = node.Replica;
            Require(replica.HighWatermark <= replica.LogEndOffset, cluster, $"node {node.Id}'s high watermark is past its log end");
            CheckSingleLeader(cluster, node);
            CheckMonotonicEpoch(cluster, node);
            CheckMonotonicHighWatermark(cluster, node);
            CheckCommittedData(cluster, node);
            if (replica.IsLeader) CheckMajorityHasHighWatermark(cluster, node);
        }
    }

    /// <summary>
    /// Persist before you promise: when a voter's granted (non-pre-)vote leaves it, its durable quorum state
    /// already records that vote (or the leader it then followed), in that epoch.
    /// </summary>
    public static void CheckVoteDurableBeforeGranted(RaftTestNode node, IRequestBody asked, IResponseBody answer)
    {
        if (asked is not VoteRequest { Topics: [{ Partitions: [var request] }] }) return;
        if (request.PreVote || answer is not VoteResponse { Topics: [{ Partitions: [{ VoteGranted: true } response] }] }) return;
        QuorumStateData? durable = node.Storage.QuorumState;
        bool recorded = durable is not null && durable.LeaderEpoch == response.LeaderEpoch && durable.VotedId == request.CandidateId;
        if (!recorded)
            throw new InvalidOperationException($"node {node.Id} granted its vote to {request.CandidateId} in epoch {response.LeaderEpoch} before persisting it");
    }

    private void CheckSingleLeader(RaftTestCluster cluster, RaftTestNode node)
    {
        if (!node.Replica.IsLeader) return;
        if (_leaderOfEpoch.TryGetValue(node.Replica.Epoch, out int leader))
            Require(leader == node.Id, cluster, $"epoch {node.Replica.Epoch} has two leaders, {leader} and {node.Id}");
        else _leaderOfEpoch[node.Replica.Epoch] = node.Id;
    }

    /// <summary>Epochs never go back, across restarts too: the epoch is persisted.</summary>
    private void CheckMonotonicEpoch(RaftTestCluster cluster, RaftTestNode node)
    {
        if (_epochs.TryGetValue(node.Id, out int last)) Require(node.Replica.Epoch >= last, cluster, $"node {node.Id}'s epoch went back from {last}");
        _epochs[node.Id] = node.Replica.Epoch;
    }

    /// <summary>Within one life of a node; a restart starts from 0, as Kafka's does.</summary>
    private void CheckMonotonicHighWatermark(RaftTestCluster cluster, RaftTestNode node)
    {
        var key = (node.Id, node.Incarnation);
        if (_highWatermarks.TryGetValue(key, out long last))
            Require(node.Replica.HighWatermark >= last, cluster, $"node {node.Id}'s high watermark went back from {last}");
        _highWatermarks[key] = node.Replica.HighWatermark;
    }

    /// <summary>Every batch below a node's high watermark (and above its log start) is the same batch on every node, forever.</summary>
    private void CheckCommittedData(RaftTestCluster cluster, RaftTestNode node)
    {
        var key = (node.Id, node.Incarnation);
        // Below the log start a snapshot stands for the batches (KIP-630); the log is checked from there.
        long from = Math.Max(_checkedUpTo.GetValueOrDefault(key), node.Replica.LogStartOffset);
        long highWatermark = node.Replica.HighWatermark;
        if (highWatermark <= from) return;
        var walker = new RecordBatchWalker(node.Storage.Read(TopicPartition.ClusterMetadata, from, highWatermark, int.MaxValue));
        while (walker.TryNext(out RecordBatchView batch))
        {
            var seen = (batch.Header.NextOffset, batch.Header.Crc);
            if (_committedBatches.TryGetValue(batch.Header.BaseOffset, out var committed))
                Require(committed == seen, cluster, $"node {node.Id} holds another batch at committed offset {batch.Header.BaseOffset}");
            else _committedBatches[batch.Header.BaseOffset] = seen;
            from = batch.Header.NextOffset;
        }
        Require(from == highWatermark, cluster, $"node {node.Id}'s log does not reach its high watermark {highWatermark} (read to {from})");
        _checkedUpTo[key] = from;
    }

    /// <summary>A leader's high watermark is on a majority of voters' stable storage.</summary>
    private void CheckMajorityHasHighWatermark(RaftTestCluster cluster, RaftTestNode leader)
    {
        int holding = voterIds.Count(id => cluster[id].Storage.Extent(TopicPartition.ClusterMetadata).DurableEndOffset >= leader.Replica.HighWatermark);
        Require(holding >= voterIds.Count / 2 + 1, cluster, $"leader {leader.Id}'s high watermark {leader.Replica.HighWatermark} is durable on only {holding} voters");
    }

    private static void Require(bool condition, RaftTestCluster cluster, string violation)
    {
        if (!condition) throw new InvalidOperationException($"{violation} ({cluster})");
    }
}
