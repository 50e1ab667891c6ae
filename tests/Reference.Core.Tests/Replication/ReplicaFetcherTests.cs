using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Core.Tests.Log;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Replication.DataPlaneHarness;

namespace Reference.Core.Tests.Replication;

/// <summary>The follower's side of replication (<see cref="ReplicaFetcher"/>), one node driven by hand: what it asks its leaders and what it does with their answers.</summary>
public sealed class ReplicaFetcherTests
{
    private const int LeaderId = 2;
    private static readonly TopicPartition T1 = new("t", 1);

    private static DataPlaneHarness Follower(int leaderEpoch = 1)
    {
        var harness = new DataPlaneHarness();
        harness.Assign(harness.Assignment(leaderId: LeaderId, leaderEpoch: leaderEpoch, replicas: [LocalId, LeaderId]));
        return harness;
    }

    /// <summary>What a leader's log holds after one produce of <paramref name="count"/> records in each epoch given.</summary>
    private static byte[] LeaderLog(params (int Epoch, int Count)[] writes)
    {
        var leader = new DataPlaneHarness();
        int partitionEpoch = 1;
        foreach ((int epoch, int count) in writes)
        {
            leader.Assign(leader.Assignment(leaderEpoch: epoch, partitionEpoch: partitionEpoch++));
            leader.Produce(T0, TestBatches.Records(count));
        }
        return leader.Storage.Read(T0, 0, long.MaxValue, int.MaxValue).ToArray();
    }

    private static NodeEffect.SendRequest LastFetch(DataPlaneHarness harness) => harness.Sent.Last(send => send.Body is FetchRequest);

    private static FetchRequest.FetchPartition Asked(NodeEffect.SendRequest fetch) =>
        ((FetchRequest)fetch.Body).Topics.Single().Partitions.Single();

    private static void Answer(DataPlaneHarness harness, NodeEffect.SendRequest fetch, FetchResponse.PartitionData data) =>
        harness.Run(effects => harness.Node.HandleResponse(fetch.CorrelationId, new FetchResponse
        {
            Responses = [new FetchResponse.FetchableTopicResponse { TopicId = TopicId, Partitions = [data] }],
        }, harness.NowMs, effects));

    private static FetchResponse.PartitionData Data(byte[]? records = null, long highWatermark = 0, short error = 0,
        FetchResponse.EpochEndOffset? diverging = null) => new()
    {
        PartitionIndex = 0,
        ErrorCode = error,
        HighWatermark = highWatermark,
        LogStartOffset = 0,
        DivergingEpoch = diverging,
        Records = records ?? ReadOnlyMemory<byte>.Empty,
    };

    [Fact]
    public void AFollowerAsksEachLeaderOnceForAllItsPartitionsWithItsIdEpochAndLastFetchedEpoch()
    {
        var harness = new DataPlaneHarness();
        harness.Assign(
            harness.Assignment(leaderId: LeaderId, leaderEpoch: 4, replicas: [LocalId, LeaderId]),
            harness.Assignment(partition: T1, leaderId: LeaderId, leaderEpoch: 6, replicas: [LocalId, LeaderId]),
            harness.Assignment(partition: new TopicPartition("u", 0), leaderId: 3, replicas: [LocalId, 3], topicId: new(9, 9)));

        var fetches = harness.Sent.Where(send => send.Body is FetchRequest).ToList();
        Assert.Equal([LeaderId, 3], fetches.Select(f => f.ToNodeId));
        Assert.All(fetches, f => Assert.Equal(PeerChannel.Replication, PeerChannels.For(f.Body)));
        var toLeader = (FetchRequest)fetches[0].Body;
        Assert.Equal(LocalId, toLeader.ReplicaState!.ReplicaId);
        Assert.Equal(harness.BrokerEpoch, toLeader.ReplicaState.ReplicaEpoch);
        Assert.Equal(harness.Config.ReplicaFetchWaitMaxMs, toLeader.MaxWaitMs);
        var asked = toLeader.Topics.Single().Partitions;
        Assert.Equal([(0, 4), (1, 6)], asked.Select(p => (p.Partition, p.CurrentLeaderEpoch)));
        Assert.All(asked, p => Assert.Equal((0L, -1), (p.FetchOffset, p.LastFetchedEpoch)));

        harness.AdvanceTo(10_000); // unanswered: still one fetch in flight per leader
        Assert.Equal(2, harness.Sent.Count(send => send.Body is FetchRequest));
    }

    [Fact]
    public void TheLeadersBatchesAreAppendedAsTheyCameAndTheNextFetchStartsAfterThem()
    {
        DataPlaneHarness harness = Follower();
        byte[] leaderLog = LeaderLog((1, 3));
        Answer(harness, LastFetch(harness), Data(leaderLog, highWatermark: 2));

        NodeEffect.AppendToLog append = harness.Effects.OfType<NodeEffect.AppendToLog>().Single();
        Assert.Equal(0, append.BaseOffset);
        Assert.Equal(leaderLog, append.Batches.ToArray());
        PartitionSnapshot state = harness.State();
        Assert.Equal((3L, 2L), (state.LogEndOffset, state.HighWatermark)); // the HW is the leader's, within its own log
        FetchRequest.FetchPartition next = Asked(LastFetch(harness));
        Assert.Equal((3L, 1), (next.FetchOffset, next.LastFetchedEpoch));
    }

    [Fact]
    public void APartitionErrorPausesThePartitionAndAFailedFetchPausesTheLeaderForTheBackoff()
    {
        DataPlaneHarness harness = Follower();
        Answer(harness, LastFetch(harness), Data(error: (short)ErrorCode.NotLeaderOrFollower));
        int sent = harness.Sent.Count(send => send.Body is FetchRequest);
        harness.AdvanceTo(harness.Config.ReplicaFetchBackoffMs - 1);
        Assert.Equal(sent, harness.Sent.Count(send => send.Body is FetchRequest));
        harness.AdvanceTo(harness.Config.ReplicaFetchBackoffMs);
        Assert.Equal(sent + 1, harness.Sent.Count(send => send.Body is FetchRequest));

        long failedAt = harness.NowMs;
        harness.Run(effects => harness.Node.HandleRequestFailed(LastFetch(harness).CorrelationId, harness.NowMs, effects));
        harness.AdvanceTo(failedAt + harness.Config.ReplicaFetchBackoffMs - 1);
        Assert.Equal(sent + 1, harness.Sent.Count(send => send.Body is FetchRequest));
        harness.AdvanceTo(failedAt + harness.Config.ReplicaFetchBackoffMs);
        Assert.Equal(sent + 2, harness.Sent.Count(send => send.Body is FetchRequest));
    }

    [Fact]
    public void ADivergingEpochCutsTheTailToWhereBothLogsAgree()
    {
        DataPlaneHarness harness = Follower(leaderEpoch: 2);
        Answer(harness, LastFetch(harness), Data(LeaderLog((1, 3), (2, 2)), highWatermark: 3));
        Assert.Equal(5, harness.State().LogEndOffset);

        // A new leader of epoch 3 never had epoch 2's batches: its epoch 1 ended at 3.
        harness.Assign(harness.Assignment(leaderId: 3, leaderEpoch: 3, partitionEpoch: 2, replicas: [LocalId, LeaderId, 3]));
        NodeEffect.SendRequest fetch = LastFetch(harness);
        Assert.Equal((3, 2), (fetch.ToNodeId, Asked(fetch).LastFetchedEpoch));
        Answer(harness, fetch, Data(diverging: new FetchResponse.EpochEndOffset { Epoch = 1, EndOffset = 3 }, highWatermark: 3));

        Assert.Contains(harness.Effects, e => e is NodeEffect.TruncateLog { EndOffset: 3 });
        Assert.Equal((3L, 3L), (harness.State().LogEndOffset, harness.State().HighWatermark));
        FetchRequest.FetchPartition next = Asked(LastFetch(harness));
        Assert.Equal((3L, 1), (next.FetchOffset, next.LastFetchedEpoch));
    }

    [Fact]
    public void AnAnswerToAFetchFromAnOlderLeaderEpochIsIgnored()
    {
        DataPlaneHarness harness = Follower();
        NodeEffect.SendRequest stale = LastFetch(harness);
        harness.Assign(harness.Assignment(leaderId: LeaderId, leaderEpoch: 2, partitionEpoch: 2, replicas: [LocalId, LeaderId]));
        Answer(harness, stale, Data(LeaderLog((1, 3)), highWatermark: 3));
        Assert.DoesNotContain(harness.Effects, e => e is NodeEffect.AppendToLog);
        Assert.Equal(0, harness.State().LogEndOffset);
    }

    [Fact]
    public void WithFlushBeforeAcknowledgeTheNextFetchWaitsUntilTheAppendIsDurable()
    {
        var harness = new DataPlaneHarness(Configure(flushBeforeAcknowledge: true));
        harness.Assign(harness.Assignment(leaderId: LeaderId, replicas: [LocalId, LeaderId]));
        Answer(harness, LastFetch(harness), Data(LeaderLog((1, 3)), highWatermark: 0));
        int sent = harness.Sent.Count(send => send.Body is FetchRequest);
        Assert.Contains(harness.Effects, e => e is NodeEffect.FlushLog flush && flush.Log == T0);
        harness.AdvanceTo(harness.NowMs + 5_000);
        Assert.Equal(sent, harness.Sent.Count(send => send.Body is FetchRequest)); // its log end would report data a power cut could take

        harness.Run(effects => harness.Node.OnLogFlushed(T0, harness.Storage.Flush(T0), harness.NowMs, effects));
        Assert.Equal(sent + 1, harness.Sent.Count(send => send.Body is FetchRequest));
        Assert.Equal(3, Asked(LastFetch(harness)).FetchOffset);
    }

    [Fact]
    public void TheFollowersLogStartFollowsTheLeadersWithinItsHighWatermark()
    {
        DataPlaneHarness harness = Follower();
        FetchResponse.PartitionData data = Data(LeaderLog((1, 3), (1, 3)), highWatermark: 6);
        data.LogStartOffset = 3;
        Answer(harness, LastFetch(harness), data);
        Assert.Equal(3, harness.State().LogStartOffset);
        Assert.Contains(harness.Effects, e => e is NodeEffect.AdvanceLogStart { NewStartOffset: 3 });
    }
}
