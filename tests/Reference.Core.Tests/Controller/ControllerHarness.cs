using Reference.Core.Controller;
using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Tests.Controller;

/// <summary>
/// A metadata log that records proposals and lets the test decide when they commit: the controller's view
/// of Raft, without Raft.
/// </summary>
internal sealed class FakeMetadataLog : IMetadataLog
{
    public bool IsLeader { get; set; } = true;

    public int Epoch { get; set; } = 1;

    /// <summary>The offset the next proposal starts at; a test may move it on to stand for Raft's own control records.</summary>
    public long NextOffset { get; set; }

    public List<(long BaseOffset, IReadOnlyList<VersionedRecord> Records)> Batches { get; } = [];

    public long? TryPropose(IReadOnlyList<VersionedRecord> records, long nowMs, Effects effects)
    {
        if (!IsLeader) return null;
        Batches.Add((NextOffset, records));
        NextOffset += records.Count;
        return NextOffset - 1;
    }

    public IEnumerable<IMetadataRecord> Records => Batches.SelectMany(b => b.Records).Select(r => r.Record);
}

/// <summary>A quorum controller on a fake log, with helpers to send requests, commit, and read answers.</summary>
internal sealed class ControllerHarness
{
    public const string ClusterId = "test-cluster-id-00000A";

    private int _nextCorrelationId;

    public ControllerHarness(NodeConfig? config = null, bool activate = true)
    {
        Config = config ?? DefaultConfig();
        Controller = new QuorumController(Config, Log, new SplitMix64Random(42));
        if (!activate) return;
        Controller.OnLeaderChange(NowMs, Effects);
        CommitAll();
        Assert.Equal(ControllerState.Active, Controller.State);
        CommitAll();
    }

    public static NodeConfig DefaultConfig() => new()
    {
        NodeId = 1,
        ClusterId = ClusterId,
        Voters = [new VoterAddress(1, "localhost", 9093)],
        AdvertisedBrokerEndpoints = [new Endpoint("PLAINTEXT", "localhost", 9092)],
        OffsetsTopicReplicationFactor = 1,
    };

    public NodeConfig Config { get; }

    public FakeMetadataLog Log { get; } = new();

    public QuorumController Controller { get; }

    public Effects Effects { get; } = new();

    public MetadataImage Committed { get; private set; } = MetadataImage.Empty;

    public long NowMs { get; set; } = 1_000;

    public Dictionary<int, IResponseBody> Answers { get; } = [];

    /// <summary>Commits whole batches up to and including <paramref name="offset"/> and tells the controller.</summary>
    public void CommitUpTo(long offset)
    {
        var delta = new MetadataDelta(Committed);
        long reached = Committed.Offset;
        bool all = true;
        foreach (var (baseOffset, records) in Log.Batches)
        {
            long last = baseOffset + records.Count - 1;
            if (last <= Committed.Offset) continue;
            if (last > offset)
            {
                all = false;
                break;
            }
            for (int i = 0; i < records.Count; i++) Assert.Null(delta.Replay(records[i].Record, baseOffset + i));
            reached = last;
        }
        // Offsets past the last batch stand for Raft's control records; they commit with the rest.
        if (all) reached = Math.Max(reached, Math.Min(offset, Log.NextOffset - 1));
        delta.AdvanceTo(reached);
        Committed = delta.Build();
        Controller.OnMetadataCommitted(Committed, NowMs, Effects);
        CollectAnswers();
    }

    public void CommitAll() => CommitUpTo(Log.NextOffset - 1);

    public void Tick(long nowMs)
    {
        NowMs = nowMs;
        Controller.Tick(nowMs, Effects);
        CollectAnswers();
    }

    /// <summary>Hands a request to the controller; returns its correlation id.</summary>
    public int Send(IRequestBody request, short? version = null)
    {
        int correlationId = ++_nextCorrelationId;
        short apiVersion = version ?? Highest(request);
        var context = new RequestContext(new ConnectionId(1), ListenerKind.Controller, correlationId, apiVersion, "test", "localhost", NowMs);
        switch (request)
        {
            case CreateTopicsRequest r: Controller.HandleCreateTopics(context, r, NowMs, Effects); break;
            case DeleteTopicsRequest r: Controller.HandleDeleteTopics(context, r, NowMs, Effects); break;
            case CreatePartitionsRequest r: Controller.HandleCreatePartitions(context, r, NowMs, Effects); break;
            case AlterConfigsRequest r: Controller.HandleAlterConfigs(context, r, NowMs, Effects); break;
            case IncrementalAlterConfigsRequest r: Controller.HandleIncrementalAlterConfigs(context, r, NowMs, Effects); break;
            case BrokerRegistrationRequest r: Controller.HandleBrokerRegistration(context, r, NowMs, Effects); break;
            case BrokerHeartbeatRequest r: Controller.HandleBrokerHeartbeat(context, r, NowMs, Effects); break;
            case UnregisterBrokerRequest r: Controller.HandleUnregisterBroker(context, r, NowMs, Effects); break;
            case AllocateProducerIdsRequest r: Controller.HandleAllocateProducerIds(context, r, NowMs, Effects); break;
            case AlterPartitionRequest r: Controller.HandleAlterPartition(context, r, NowMs, Effects); break;
            default: throw new ArgumentException($"no handler for {request.ApiKey}");
        }
        CollectAnswers();
        return correlationId;
    }

    /// <summary>Sends, commits everything, and returns the answer, which must have come.</summary>
    public T Call<T>(IRequestBody request, short? version = null) where T : IResponseBody
    {
        int correlationId = Send(request, version);
        CommitAll();
        return Assert.IsType<T>(Answers[correlationId]);
    }

    public T? AnswerTo<T>(int correlationId) where T : class, IResponseBody => Answers.TryGetValue(correlationId, out IResponseBody? body) ? (T)body : null;

    /// <summary>An active controller with these brokers registered and unfenced.</summary>
    public static ControllerHarness WithUnfencedBrokers(params int[] brokerIds)
    {
        var harness = new ControllerHarness();
        harness.RegisterUnfencedBrokers(brokerIds);
        return harness;
    }

    /// <summary>Creates one topic, commits, and returns its result.</summary>
    public CreateTopicsResponse.CreatableTopicResult CreateTopic(string name, int partitions, short replicationFactor) =>
        Assert.Single(Call<CreateTopicsResponse>(CreateTopics((name, partitions, replicationFactor))).Topics);

    /// <summary>Registers brokers and heartbeats them until they are unfenced; returns their epochs.</summary>
    public Dictionary<int, long> RegisterUnfencedBrokers(params int[] brokerIds)
    {
        var epochs = new Dictionary<int, long>();
        foreach (int id in brokerIds)
        {
            var registered = Call<BrokerRegistrationResponse>(Registration(id));
            Assert.Equal((short)ErrorCode.None, registered.ErrorCode);
            epochs[id] = registered.BrokerEpoch;
        }
        foreach (int id in brokerIds)
        {
            var answer = Call<BrokerHeartbeatResponse>(Heartbeat(id, epochs[id], Committed.Offset));
            Assert.False(answer.IsFenced, $"broker {id} should be unfenced once caught up");
        }
        CommitAll();
        return epochs;
    }

    public static BrokerRegistrationRequest Registration(int brokerId, string clusterId = ClusterId, Uuid? incarnation = null) => new()
    {
        BrokerId = brokerId,
        ClusterId = clusterId,
        IncarnationId = incarnation ?? new Uuid(99, brokerId),
        Listeners = [new BrokerRegistrationRequest.Listener { Name = "PLAINTEXT", Host = "localhost", Port = (ushort)(9090 + brokerId) }],
        Features = [new BrokerRegistrationRequest.Feature { Name = MetadataVersion.FeatureName, MinSupportedVersion = 1, MaxSupportedVersion = 21 }],
    };

    public static BrokerHeartbeatRequest Heartbeat(int brokerId, long epoch, long metadataOffset, bool wantShutDown = false) => new()
    {
        BrokerId = brokerId,
        BrokerEpoch = epoch,
        CurrentMetadataOffset = metadataOffset,
        WantShutDown = wantShutDown,
    };

    public static CreateTopicsRequest CreateTopics(params (string Name, int Partitions, short ReplicationFactor)[] topics) => new()
    {
        Topics = [.. topics.Select(t => new CreateTopicsRequest.CreatableTopic { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = t.ReplicationFactor })],
    };

    private static short Highest(IRequestBody request) => request switch
    {
        CreateTopicsRequest => CreateTopicsRequest.Versions.Highest,
        DeleteTopicsRequest => DeleteTopicsRequest.Versions.Highest,
        CreatePartitionsRequest => CreatePartitionsRequest.Versions.Highest,
        AlterConfigsRequest => AlterConfigsRequest.Versions.Highest,
        IncrementalAlterConfigsRequest => IncrementalAlterConfigsRequest.Versions.Highest,
        BrokerRegistrationRequest => BrokerRegistrationRequest.Versions.Highest,
        BrokerHeartbeatRequest => BrokerHeartbeatRequest.Versions.Highest,
        UnregisterBrokerRequest => UnregisterBrokerRequest.Versions.Highest,
        AllocateProducerIdsRequest => AllocateProducerIdsRequest.Versions.Highest,
        AlterPartitionRequest => AlterPartitionRequest.Versions.Highest,
        _ => 0,
    };

    private void CollectAnswers()
    {
        foreach (NodeEffect effect in Effects.Drain())
        {
            if (effect is not NodeEffect.Respond respond) continue;
            Assert.False(Answers.ContainsKey(respond.Context.CorrelationId), $"request {respond.Context.CorrelationId} was answered twice");
            Answers[respond.Context.CorrelationId] = respond.Body;
        }
    }
}
