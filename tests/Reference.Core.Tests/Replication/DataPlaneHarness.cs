using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Core.Tests.Producers;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Replication;

/// <summary>
/// Plays the shell around one node's <see cref="HostedPartitions"/>: each step's effects are carried out
/// on a <see cref="MemoryLogStorage"/> in order, and the data plane is ticked whenever it is due, as a node
/// would turn <see cref="HostedPartitions.NextDeadlineMs"/> into a WakeAt.
/// </summary>
internal sealed class DataPlaneHarness
{
    public const int LocalId = 1;
    public static readonly TopicPartition T0 = new("t", 0);
    public static readonly Uuid TopicId = new(0x1234, 0x5678);

    /// <summary>Ticks in a row before the harness calls the node stuck.</summary>
    private const int TicksPerStepMax = 100;

    private int _nextCorrelationId;
    private long _nextConnectionId = 1;

    public DataPlaneHarness(NodeConfig? config = null, MemoryLogStorage? storage = null, long nowMs = 0)
    {
        Config = config ?? Configure();
        Storage = storage ?? new MemoryLogStorage();
        NowMs = nowMs;
        Node = new HostedPartitions(Config, Storage, Peers, Peers, () => BrokerEpoch);
        Run(effects => Node.Start(NowMs, effects));
    }

    public NodeConfig Config { get; }

    public MemoryLogStorage Storage { get; }

    public HostedPartitions Node { get; }

    public FakePeers Peers { get; } = new();

    public long BrokerEpoch { get; set; } = 5;

    public long NowMs { get; set; }

    /// <summary>Every effect carried out so far, in order.</summary>
    public List<NodeEffect> Effects { get; } = [];

    public IEnumerable<NodeEffect.SendRequest> Sent => Effects.OfType<NodeEffect.SendRequest>();

    public static NodeConfig Configure(long replicaLagTimeMaxMs = 30_000, bool flushBeforeAcknowledge = false,
        long retentionCheckIntervalMs = 300_000, int minInsyncReplicas = 1) => new()
    {
        NodeId = LocalId,
        ClusterId = "test-cluster",
        Voters = [new VoterAddress(LocalId, "localhost", 9093)],
        AdvertisedBrokerEndpoints = [new Endpoint("PLAINTEXT", "localhost", 9092)],
        ReplicaLagTimeMaxMs = replicaLagTimeMaxMs,
        FlushBeforeAcknowledge = flushBeforeAcknowledge,
        LogRetentionCheckIntervalMs = retentionCheckIntervalMs,
        MinInsyncReplicas = minInsyncReplicas,
    };

    /// <summary>Runs one step, carries out its effects, then ticks while the data plane is due now.</summary>
    public IReadOnlyList<NodeEffect> Run(Action<Effects> step)
    {
        var carried = new List<NodeEffect>(Carry(step));
        for (int ticks = 0; Node.NextDeadlineMs <= NowMs; ticks++)
        {
            Assert.True(ticks < TicksPerStepMax, "the data plane keeps asking to be woken now");
            carried.AddRange(Carry(effects => Node.Tick(NowMs, effects)));
        }
        return carried;
    }

    private IReadOnlyList<NodeEffect> Carry(Action<Effects> step)
    {
        var effects = new Effects();
        step(effects);
        IReadOnlyList<NodeEffect> drained = effects.Drain();
        Storage.NowMs = NowMs;
        foreach (NodeEffect effect in drained) Assert.True(Storage.Apply(effect), $"the storage refused {effect}");
        Effects.AddRange(drained);
        return drained;
    }

    /// <summary>Moves the clock to <paramref name="toMs"/>, ticking at every deadline on the way.</summary>
    public void AdvanceTo(long toMs)
    {
        for (long next = Node.NextDeadlineMs; next <= toMs; next = Node.NextDeadlineMs)
        {
            NowMs = Math.Max(NowMs, next);
            Run(effects => Node.Tick(NowMs, effects));
        }
        NowMs = toMs;
    }

    public void Assign(params PartitionAssignment[] assignments) => Run(effects => Node.ApplyPartitions(assignments, NowMs, effects));

    public PartitionAssignment Assignment(TopicPartition? partition = null, int leaderId = LocalId, int leaderEpoch = 1, int partitionEpoch = 1,
        int[]? replicas = null, int[]? isr = null, TopicLogConfig? config = null, Uuid? topicId = null) => new(
        partition ?? T0, topicId ?? TopicId, leaderId, leaderEpoch, partitionEpoch, replicas ?? [LocalId], isr ?? replicas ?? [LocalId],
        config ?? TopicLogConfig.Defaults(Config));

    public PartitionSnapshot State(TopicPartition? partition = null) => Node.Snapshot(partition ?? T0)!;

    public RequestContext Context(short apiVersion, long? connection = null) => new(
        new ConnectionId(connection ?? _nextConnectionId++), ListenerKind.Broker, _nextCorrelationId++, apiVersion, "test", "127.0.0.1", NowMs);

    public T? AnswerTo<T>(RequestContext context) where T : class, IResponseBody =>
        Effects.OfType<NodeEffect.Respond>().Where(respond => respond.Context == context).Select(respond => respond.Body).OfType<T>().SingleOrDefault();

    public RequestContext Produce(TopicPartition partition, byte[] batch, short acks = 1, int timeoutMs = 30_000, short version = 9,
        string? transactionalId = null, long? connection = null)
    {
        var request = new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = timeoutMs,
            TransactionalId = transactionalId,
            TopicData = [new() { Name = partition.Topic, PartitionData = [new() { Index = partition.Partition, Records = batch }] }],
        };
        RequestContext context = Context(version, connection);
        Run(effects => Node.HandleProduce(context, request, NowMs, effects));
        return context;
    }

    public ProduceResponse.PartitionProduceResponse? ProduceAnswer(RequestContext context) =>
        AnswerTo<ProduceResponse>(context)?.Responses.Single().PartitionResponses.Single();

    public RequestContext Fetch(TopicPartition partition, long fetchOffset, int maxWaitMs = 0, int minBytes = 1, int replicaId = -1,
        sbyte isolationLevel = 0, int partitionMaxBytes = 1 << 20, int maxBytes = int.MaxValue, int currentLeaderEpoch = -1,
        int lastFetchedEpoch = -1, long logStartOffset = -1, short version = 12, long? connection = null)
    {
        RequestContext context = Context(version, connection);
        Run(effects => Node.HandleFetch(context, FetchRequestFor([(partition, fetchOffset)], maxWaitMs, minBytes, replicaId, isolationLevel,
            partitionMaxBytes, maxBytes, currentLeaderEpoch, lastFetchedEpoch, logStartOffset), NowMs, effects));
        return context;
    }

    public static FetchRequest FetchRequestFor(IEnumerable<(TopicPartition Partition, long Offset)> partitions, int maxWaitMs = 0, int minBytes = 1,
        int replicaId = -1, sbyte isolationLevel = 0, int partitionMaxBytes = 1 << 20, int maxBytes = int.MaxValue, int currentLeaderEpoch = -1,
        int lastFetchedEpoch = -1, long logStartOffset = -1) => new()
    {
        ReplicaId = replicaId,
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = maxBytes,
        IsolationLevel = isolationLevel,
        Topics = partitions.GroupBy(entry => entry.Partition.Topic).Select(topic => new FetchRequest.FetchTopic
        {
            Topic = topic.Key,
            TopicId = TopicId,
            Partitions = topic.Select(entry => new FetchRequest.FetchPartition
            {
                Partition = entry.Partition.Partition,
                FetchOffset = entry.Offset,
                CurrentLeaderEpoch = currentLeaderEpoch,
                LastFetchedEpoch = lastFetchedEpoch,
                LogStartOffset = logStartOffset,
                PartitionMaxBytes = partitionMaxBytes,
            }).ToList(),
        }).ToList(),
    };

    public FetchResponse.PartitionData? FetchAnswer(RequestContext context) =>
        AnswerTo<FetchResponse>(context)?.Responses.SelectMany(topic => topic.Partitions).Single();
}
