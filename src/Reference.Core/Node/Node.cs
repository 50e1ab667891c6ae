using Reference.Core.Controller;
using Reference.Core.Groups;
using Reference.Core.Log;
using Reference.Core.Metadata;
using Reference.Core.Producers;
using Reference.Core.Raft;
using Reference.Core.Replication;
using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// One node: the KRaft replica, the quorum controller (on controller nodes), the broker's lifecycle, the
/// partitions it hosts, the idempotent-producer ids and the group coordinator, composed. It takes one
/// input, lets the rooms handle it, then settles what the input set moving in process (requests to
/// itself and their answers, newly committed metadata applied everywhere) before it returns the step's
/// effects and asks to be woken for its next deadline.
/// </summary>
public sealed partial class Node : INode
{
    /// <summary>Rounds of in-process work after one input at most; more would mean two rooms feeding each other forever.</summary>
    public const int SettleRoundsMax = 1_000;

    private readonly NodeConfig _config;
    private readonly StepLogView _logs;
    private readonly PeerRouter _router;
    private readonly Effects _effects;
    private readonly RaftReplica _raft;
    private readonly MetadataLoader _metadata;
    private readonly QuorumController? _controller;
    private readonly BrokerLifecycle? _lifecycle;
    private readonly HostedPartitions _partitions;
    private readonly ProducerIdIssuer _producerIds;
    private readonly GroupCoordinator _groups;
    private readonly ControllerForwarding _forwarding;
    private readonly ClusterAnswers _answers;
    private readonly Queue<(int CorrelationId, IResponseBody Body)> _loopbackAnswers = new();
    private (int? LeaderId, int Epoch) _leadership = (null, -1);
    private long _metadataEndAtStart;
    private bool _started;
    private long _wakeRequestedAtMs = long.MaxValue;

    public Node(NodeConfig config, ILogStorage storage, QuorumStateData? quorumState, IDeterministicRandom random)
    {
        _config = config;
        _logs = new StepLogView(storage);
        _router = new PeerRouter(config.NodeId, InterBrokerEndpointOf);
        _effects = new Effects(KeepForShell);
        _raft = new RaftReplica(config, _logs, _router.SenderFor(new(
            (from, id, body, now, fx) => _raft!.HandleResponse(from, id, body, now, fx),
            (to, id, now, fx) => _raft!.HandleRequestFailed(to, id, now, fx))), random, quorumState);
        _metadata = new MetadataLoader(_logs);
        _answers = new ClusterAnswers(config, RegisteredInImage);
        _forwarding = new ControllerForwarding(_raft);
        _forwarding.Peers = _router.SenderFor(new(
            (_, id, body, _, fx) => _forwarding!.OnResponse(id, body, fx),
            (_, id, _, fx) => _forwarding!.OnFailure(id, fx)));
        if (config.IsController) _controller = new QuorumController(config, new RaftMetadataLog(_raft), random);
        if (config.IsBroker)
        {
            _lifecycle = new BrokerLifecycle(config, _raft, _router.SenderFor(new(
                (_, id, body, now, fx) => _lifecycle!.HandleResponse(id, body, now, fx),
                (_, id, now, fx) => _lifecycle!.HandleRequestFailed(id, now, fx))), random);
        }
        Func<long> brokerEpoch = () => _lifecycle?.BrokerEpoch ?? -1;
        _partitions = new HostedPartitions(config, _logs, _router.SenderFor(new(
            (_, id, body, now, fx) => _partitions!.HandleResponse(id, body, now, fx),
            (_, id, now, fx) => _partitions!.HandleRequestFailed(id, now, fx))), _raft, brokerEpoch);
        _producerIds = new ProducerIdIssuer(config.NodeId, _router.SenderFor(new(
            (_, id, body, now, fx) => _producerIds!.HandleResponse(id, body, now, fx),
            (_, id, now, fx) => _producerIds!.HandleRequestFailed(id, now, fx))), _raft, brokerEpoch);
        _groups = new GroupCoordinator(GroupCoordinatorConfig.From(config), _logs, _partitions, random,
            partition => _metadata.Image.Partition(partition) is not null);
    }

    /// <summary>
    /// Where a replica fetch to <paramref name="brokerId"/> goes: the endpoint it registered on the
    /// inter-broker listener (Kafka's <c>inter.broker.listener.name</c>), as the committed metadata holds
    /// it; null while it has not registered or did not register that listener.
    /// </summary>
    private Endpoint? InterBrokerEndpointOf(int brokerId) =>
        _metadata.Image.Broker(brokerId)?.Endpoints.FirstOrDefault(e => e.ListenerName == _config.InterBrokerListenerName) is { } registered
            ? new Endpoint(registered.ListenerName, registered.Host, registered.Port)
            : null;

    /// <summary>The committed metadata this node has applied (for monitors and tools).</summary>
    public MetadataImage Metadata => _metadata.Image;

    /// <summary>The KRaft replica, read-only use (for monitors and DescribeQuorum-like views).</summary>
    public RaftReplica Raft => _raft;

    /// <summary>The partitions this node hosts, as monitors see them (offsets, epochs, ISR).</summary>
    public IReadOnlyList<PartitionSnapshot> Partitions => _partitions.Snapshots();

    /// <summary>The groups this node coordinates, as monitors see them.</summary>
    public IReadOnlyList<GroupSnapshot> Groups => _groups.Snapshot();

    public IReadOnlyList<NodeEffect> Handle(NodeInput input)
    {
        _logs.BeginStep();
        long now = input.NowMs;
        if (!_started && input is not NodeInput.Started) throw new InvalidOperationException($"{input.GetType().Name} before Started");
        switch (input)
        {
            case NodeInput.Started: Start(now); break;
            case NodeInput.TimeAdvanced: Tick(now); break;
            case NodeInput.RequestReceived request: Dispatch(request.Context, request.Body, now); break;
            case NodeInput.ResponseReceived response: _router.DeliverResponse(response.FromNodeId, response.CorrelationId, response.Body, now, _effects); break;
            case NodeInput.RequestFailed failed: _router.DeliverFailure(failed.ToNodeId, failed.CorrelationId, now, _effects); break;
            case NodeInput.LogFlushed flushed: OnLogFlushed(flushed.Log, flushed.DurableEndOffset, now); break;
            case NodeInput.ConnectionClosed closed: OnConnectionClosed(closed.Connection); break;
            default: throw new ArgumentException($"unknown input {input.GetType().Name}", nameof(input));
        }
        Settle(now);
        ScheduleWake(now);
        return _effects.Drain();
    }

    private void Start(long now)
    {
        if (_started) throw new InvalidOperationException("a node starts once; a restart is a new Node over the same storage");
        _started = true;
        _metadataEndAtStart = _logs.Extent(TopicPartition.ClusterMetadata).EndOffset;
        _lastSnapshotAtMs = now;
        _raft.Start(now, _effects);
        if (_config.IsBroker) _partitions.Start(now, _effects);
        Tick(now);
    }

    private void Tick(long now)
    {
        _raft.Tick(now, _effects);
        _controller?.Tick(now, _effects);
        _lifecycle?.Tick(now, _effects);
        if (!_config.IsBroker) return;
        _partitions.Tick(now, _effects);
        _groups.Tick(now, _effects);
    }

    private void OnLogFlushed(TopicPartition log, long durableEndOffset, long now)
    {
        if (log == TopicPartition.ClusterMetadata) _raft.OnLogFlushed(durableEndOffset, now, _effects);
        else _partitions.OnLogFlushed(log, durableEndOffset, now, _effects);
    }

    private void OnConnectionClosed(ConnectionId connection)
    {
        _raft.OnConnectionClosed(connection);
        _partitions.OnConnectionClosed(connection);
        _groups.OnConnectionClosed(connection);
    }

    /// <summary>
    /// Every effect passes here as a room adds it: storage effects become visible to this step's reads, and
    /// an answer to a request this node sent itself is kept from the shell and delivered in process.
    /// </summary>
    private bool KeepForShell(NodeEffect effect)
    {
        _logs.Record(effect);
        if (effect is NodeEffect.Respond respond && PeerRouter.IsLoopback(respond.Context.Connection))
        {
            _loopbackAnswers.Enqueue((respond.Context.CorrelationId, respond.Body));
            return false;
        }
        return true;
    }

    /// <summary>Runs the in-process consequences of an input until nothing more moves.</summary>
    private void Settle(long now)
    {
        for (int round = 0; round < SettleRoundsMax; round++)
        {
            bool moved = false;
            while (_router.TryTakeLoopback(now, out RequestContext context, out IRequestBody body))
            {
                Dispatch(context, body, now);
                moved = true;
            }
            while (_loopbackAnswers.TryDequeue(out var answer))
            {
                _router.DeliverResponse(_config.NodeId, answer.CorrelationId, answer.Body, now, _effects);
                moved = true;
            }
            moved |= SyncLeadership(now);
            moved |= LoadNewerSnapshot(now);
            moved |= ApplyCommittedMetadata(now);
            NoteControllerClaim();
            if (!moved)
            {
                MaybeWriteSnapshot(now);
                return;
            }
        }
        throw new InvalidOperationException($"node {_config.NodeId} did not settle within {SettleRoundsMax} rounds");
    }

    private bool SyncLeadership(long now)
    {
        var leadership = (_raft.LeaderId, _raft.Epoch);
        if (leadership == _leadership) return false;
        _leadership = leadership;
        SnapshotLoadsSinceClaim = 0;
        _controller?.OnLeaderChange(now, _effects);
        return true;
    }

    /// <summary>Asks the shell for a wake-up at the earliest deadline of any room, once per deadline.</summary>
    private void ScheduleWake(long now)
    {
        long next = Math.Min(_raft.NextDeadlineMs, _controller?.NextDeadlineMs ?? long.MaxValue);
        next = Math.Min(next, _lifecycle?.NextDeadlineMs ?? long.MaxValue);
        if (_config.IsBroker) next = Math.Min(next, Math.Min(_partitions.NextDeadlineMs, _groups.NextDeadlineMs ?? long.MaxValue));
        if (next == long.MaxValue) return;
        if (next == _wakeRequestedAtMs && _wakeRequestedAtMs > now) return;
        _wakeRequestedAtMs = Math.Max(next, now);
        _effects.Add(new NodeEffect.WakeAt(_wakeRequestedAtMs));
    }
}
