using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Raft.Harness;

/// <summary>
/// One replica on its own, for tests that play its peers by hand: the test hands it requests and answers
/// and reads the effects of each step, which are carried out on its in-memory disk in order.
/// </summary>
internal sealed class ReplicaUnderTest
{
    private readonly RecordingPeerSender _sender = new();
    private readonly SplitMix64Random _random;
    private int _nextClientCorrelationId = 1;

    public ReplicaUnderTest(int nodeId, int voterCount, MemoryLogStorage? storage = null, ulong seed = 7, Func<NodeConfig, NodeConfig>? configure = null)
    {
        var config = new NodeConfig
        {
            NodeId = nodeId,
            ClusterId = RaftTestCluster.ClusterId,
            Voters = Enumerable.Range(1, voterCount).Select(id => new VoterAddress(id, "localhost", 9090 + id)).ToList(),
            AdvertisedBrokerEndpoints = [],
        };
        Config = configure?.Invoke(config) ?? config;
        Storage = storage ?? new MemoryLogStorage();
        _random = new SplitMix64Random(seed);
        Replica = null!;
    }

    public NodeConfig Config { get; }

    public MemoryLogStorage Storage { get; }

    public RaftReplica Replica { get; private set; }

    public long NowMs { get; set; }

    /// <summary>Builds a replica from the disk and its persisted quorum state, and starts it.</summary>
    public IReadOnlyList<NodeEffect> Start()
    {
        Replica = new RaftReplica(Config, Storage, _sender, _random, Storage.QuorumState);
        return Step((replica, effects) => replica.Start(NowMs, effects));
    }

    /// <summary>A power cut and a restart: only flushed data and the persisted quorum state remain.</summary>
    public IReadOnlyList<NodeEffect> CrashAndRestart()
    {
        Storage.Crash();
        return Start();
    }

    public IReadOnlyList<NodeEffect> Step(Action<RaftReplica, Effects> step)
    {
        var effects = new Effects();
        step(Replica, effects);
        IReadOnlyList<NodeEffect> drained = effects.Drain();
        Storage.NowMs = NowMs;
        foreach (NodeEffect effect in drained)
            if (!Storage.Apply(effect)) throw new InvalidOperationException($"storage refused {effect}");
        return drained;
    }

    public IReadOnlyList<NodeEffect> Tick(long nowMs)
    {
        NowMs = nowMs;
        return Step((replica, effects) => replica.Tick(nowMs, effects));
    }

    public IReadOnlyList<NodeEffect> Flush() =>
        Step((replica, effects) => replica.OnLogFlushed(Storage.Flush(TopicPartition.ClusterMetadata), NowMs, effects));

    /// <summary>Hands the replica a request from <paramref name="fromNodeId"/>, through its wire encoding.</summary>
    public IReadOnlyList<NodeEffect> Receive(IRequestBody request, short version, int fromNodeId = 100)
    {
        IRequestBody decoded = WireRoundTrip.Request(request, version);
        var context = new RequestContext(new ConnectionId(fromNodeId), ListenerKind.Controller, _nextClientCorrelationId++, version,
            $"node-{fromNodeId}", "localhost", NowMs);
        return Step((replica, effects) =>
        {
            if (!replica.HandleRequest(context, decoded, NowMs, effects)) throw new InvalidOperationException($"{request.ApiKey} was not handled");
        });
    }

    /// <summary>Answers a request the replica sent, through the wire encoding.</summary>
    public IReadOnlyList<NodeEffect> Answer(NodeEffect.SendRequest sent, IResponseBody response) =>
        Step((replica, effects) => replica.HandleResponse(sent.ToNodeId, sent.CorrelationId, WireRoundTrip.Response(response, sent.ApiVersion), NowMs, effects));

    /// <summary>
    /// Lets the election timeout fire and has <paramref name="voterId"/> grant the pre-vote and then the vote
    /// it brings; with three voters that is a majority. Returns the effects of becoming leader.
    /// </summary>
    public IReadOnlyList<NodeEffect> WinElectionWithVotesFrom(int voterId)
    {
        IReadOnlyList<NodeEffect> asked = Tick(Replica.NextDeadlineMs);
        foreach (bool preVote in new[] { true, false })
        {
            NodeEffect.SendRequest toVoter = asked.OfType<NodeEffect.SendRequest>().Single(send => send.ToNodeId == voterId);
            Assert.Equal(preVote, ((VoteRequest)toVoter.Body).Topics[0].Partitions[0].PreVote);
            asked = Answer(toVoter, RaftMessages.VoteResponse(Protocol.ErrorCode.None, new LeaderAndEpoch(null, Replica.Epoch), granted: true));
        }
        Assert.True(Replica.IsLeader);
        return asked;
    }

    /// <summary>The one response in <paramref name="effects"/>, as the wire would carry it.</summary>
    public static T ResponseIn<T>(IReadOnlyList<NodeEffect> effects) where T : class, IResponseBody
    {
        NodeEffect.Respond respond = Assert.Single(effects.OfType<NodeEffect.Respond>());
        return (T)WireRoundTrip.Response(respond.Body, respond.Context.ApiVersion);
    }

    /// <summary>Writes one flushed batch of one record per epoch given, in order, as a log holding them would.</summary>
    public static MemoryLogStorage StorageWithBatches(params int[] epochs)
    {
        var storage = new MemoryLogStorage();
        long offset = 0;
        foreach (int epoch in epochs)
        {
            byte[] batch = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = offset, PartitionLeaderEpoch = epoch })
                .Append(0, null, new byte[] { (byte)offset })
                .Build();
            storage.Apply(new NodeEffect.AppendToLog(TopicPartition.ClusterMetadata, offset, batch));
            offset++;
        }
        storage.Flush(TopicPartition.ClusterMetadata);
        return storage;
    }

    public static QuorumStateData State(int epoch, int leaderId = -1, int votedId = -1) =>
        new() { LeaderEpoch = epoch, LeaderId = leaderId, VotedId = votedId };
}
