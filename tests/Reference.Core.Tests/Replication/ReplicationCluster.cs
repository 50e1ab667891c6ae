using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Protocol.Messages;
using Reference.Simulation.Storage;
using Reference.Simulation.Traces;

namespace Reference.Core.Tests.Replication;

/// <summary>
/// A few real <see cref="Core.Node.Node"/>s (combined broker and controller) over in-memory disks, wired
/// together the way a shell must: effects carried out in order, flushes answered at once, wake-ups kept in
/// virtual time, and peer requests sent over one connection per (sender, receiver, <see cref="PeerChannel"/>)
/// that a receiver answers one request at a time, every message through its wire encoding with 1 ms of
/// latency. A node can be killed (its unflushed writes lost) and restarted, or cut off from the others; a
/// request it can then not answer fails after <see cref="PeerRequestTimeoutMs"/>, as a shell reports it.
/// </summary>
internal sealed class ReplicationCluster
{
    public const long LatencyMs = 1;
    public const long PeerRequestTimeoutMs = 2_000;

    /// <summary>Events one call may run at most before the harness calls the cluster stuck.</summary>
    private const int EventsPerCallMax = 2_000_000;

    private readonly PriorityQueue<Action, (long AtMs, long Sequence)> _events = new();
    private readonly Dictionary<(int From, int To, PeerChannel Channel), PeerLink> _links = [];
    private readonly Dictionary<long, PeerLink> _linksByConnection = [];
    private readonly Dictionary<int, IResponseBody?> _clientAnswers = [];
    private readonly HashSet<int> _isolated = [];
    private long _sequence;
    private long _nextConnection = 1;
    private int _nextClientCorrelationId = 1;

    public ReplicationCluster(int nodeCount = 3, Func<NodeConfig, NodeConfig>? configure = null)
    {
        var voters = Enumerable.Range(1, nodeCount).Select(id => new VoterAddress(id, "localhost", 9093 + id)).ToList();
        for (int id = 1; id <= nodeCount; id++)
        {
            NodeConfig config = (configure ?? (c => c))(new NodeConfig
            {
                NodeId = id,
                ClusterId = "AAAAAAAAAAAAAAAAAAAAAQ",
                Voters = voters,
                AdvertisedBrokerEndpoints = [new Endpoint("PLAINTEXT", "localhost", 9092 + 10 * id)],
                OffsetsTopicNumPartitions = 1,
                OffsetsTopicReplicationFactor = 1,
            });
            Members.Add(new Member(config, new MemoryLogStorage()));
        }
        foreach (Member member in Members) Start(member);
    }

    public List<Member> Members { get; } = [];

    public long NowMs { get; private set; }

    /// <summary>Every effect a node emitted, in order, across restarts.</summary>
    public List<(int NodeId, NodeEffect Effect)> History { get; } = [];

    public Member this[int nodeId] => Members[nodeId - 1];

    public sealed class Member(NodeConfig config, MemoryLogStorage disk)
    {
        public NodeConfig Config { get; } = config;
        public MemoryLogStorage Disk { get; } = disk;
        public Core.Node.Node Node { get; set; } = null!;
        public int Incarnation { get; set; }
        public bool IsUp { get; set; }
        public SortedSet<long> Wakes { get; } = [];
        public int Id => Config.NodeId;
        public PartitionSnapshot? Partition(TopicPartition name) => Node.Partitions.FirstOrDefault(p => p.Partition == name);
    }

    private sealed class PeerLink(int from, int to, PeerChannel channel, long connection)
    {
        public int From { get; } = from;
        public int To { get; } = to;
        public PeerChannel Channel { get; } = channel;
        public long Connection { get; } = connection;
        public Queue<NodeEffect.SendRequest> Waiting { get; } = new();
        public NodeEffect.SendRequest? InCore { get; set; }
    }

    private void Schedule(long atMs, Action action) => _events.Enqueue(action, (atMs, _sequence++));

    private void Start(Member member)
    {
        member.Incarnation++;
        member.IsUp = true;
        member.Wakes.Clear();
        member.Node = new Core.Node.Node(member.Config, member.Disk, member.Disk.QuorumState, new SplitMix64Random((ulong)(member.Id * 7919 + member.Incarnation)));
        Deliver(member, new NodeInput.Started(NowMs));
    }

    /// <summary>A power cut on one node: what it had not flushed is lost, every connection to or from it breaks.</summary>
    public void Kill(int nodeId)
    {
        Member member = this[nodeId];
        member.IsUp = false;
        member.Disk.Crash();
        foreach (PeerLink link in _links.Values.Where(l => l.From == nodeId || l.To == nodeId).OrderBy(l => l.Connection).ToList()) Break(link);
    }

    public void Restart(int nodeId) => Start(this[nodeId]);

    /// <summary>Cuts a node off from every other: requests across the cut go unanswered until they time out.</summary>
    public void Isolate(int nodeId) => _isolated.Add(nodeId);

    public void Heal(int nodeId) => _isolated.Remove(nodeId);

    private bool Reachable(int from, int to) => !_isolated.Contains(from) && !_isolated.Contains(to);

    /// <summary>Runs every event due in the next <paramref name="durationMs"/> of virtual time.</summary>
    public void RunFor(long durationMs) => RunUntil(NowMs + durationMs, () => false);

    /// <summary>Runs until <paramref name="done"/> holds (checked after every event) or the time limit; returns whether it held.</summary>
    public bool RunUntil(long untilMs, Func<bool> done)
    {
        for (int events = 0; events < EventsPerCallMax; events++)
        {
            if (done()) return true;
            if (!_events.TryPeek(out _, out var at) || at.AtMs > untilMs)
            {
                NowMs = Math.Max(NowMs, untilMs);
                return done();
            }
            Action action = _events.Dequeue();
            NowMs = Math.Max(NowMs, at.AtMs);
            action();
        }
        throw new InvalidOperationException($"more than {EventsPerCallMax} events in one call");
    }

    /// <summary>Sends a client request to a node's broker listener and runs the cluster until it is answered.</summary>
    public TResponse Send<TResponse>(int nodeId, IRequestBody body, short version, long timeLimitMs = 30_000) where TResponse : IResponseBody
    {
        int correlationId = _nextClientCorrelationId++;
        _clientAnswers[correlationId] = null;
        var context = new RequestContext(new ConnectionId(_nextConnection++), ListenerKind.Broker, correlationId, version, "test-client", "127.0.0.1", NowMs);
        Member member = this[nodeId];
        Schedule(NowMs + LatencyMs, () =>
        {
            if (member.IsUp) Deliver(member, new NodeInput.RequestReceived(NowMs, context, RoundTrip(correlationId, version, body)));
        });
        bool answered = RunUntil(NowMs + timeLimitMs, () => _clientAnswers[correlationId] is not null);
        Assert.True(answered, $"{body.ApiKey} v{version} to node {nodeId} was not answered within {timeLimitMs} ms");
        _clientAnswers.Remove(correlationId, out IResponseBody? answer);
        return Assert.IsType<TResponse>(answer);
    }

    private static IRequestBody RoundTrip(int correlationId, short version, IRequestBody body) =>
        WireFrames.DecodeRequest(WireFrames.Request(correlationId, version, "harness", body)).Body;

    private static IResponseBody RoundTrip(int correlationId, short version, ApiKey key, IResponseBody body) =>
        WireFrames.DecodeResponse(WireFrames.Response(correlationId, version, body), key, version).Body;

    private void Deliver(Member member, NodeInput input)
    {
        var inputs = new Queue<NodeInput>([input]);
        for (int step = 0; step < 10_000 && inputs.TryDequeue(out NodeInput? next); step++)
        {
            member.Disk.NowMs = next.NowMs;
            foreach (NodeEffect effect in member.Node.Handle(next)) CarryOut(member, effect, inputs);
        }
        Assert.Empty(inputs);
    }

    private void CarryOut(Member member, NodeEffect effect, Queue<NodeInput> inputs)
    {
        History.Add((member.Id, effect));
        switch (effect)
        {
            case NodeEffect.FlushLog flush:
                inputs.Enqueue(new NodeInput.LogFlushed(NowMs, flush.Log, member.Disk.Flush(flush.Log)));
                break;
            case NodeEffect.WakeAt wake:
                if (!member.Wakes.Add(wake.AtMs)) break;
                int incarnation = member.Incarnation;
                Schedule(wake.AtMs, () =>
                {
                    if (!member.IsUp || member.Incarnation != incarnation || !member.Wakes.Remove(wake.AtMs)) return;
                    Deliver(member, new NodeInput.TimeAdvanced(NowMs));
                });
                break;
            case NodeEffect.Respond respond:
                Answer(member, respond);
                break;
            case NodeEffect.SendRequest send:
                SendToPeer(member, send);
                break;
            case NodeEffect.CloseConnection:
                break;
            default:
                Assert.True(member.Disk.Apply(effect), $"the disk refused {effect}");
                break;
        }
    }

    private void SendToPeer(Member sender, NodeEffect.SendRequest send)
    {
        var key = (sender.Id, send.ToNodeId, PeerChannels.For(send.Body));
        if (!_links.TryGetValue(key, out PeerLink? link))
        {
            _links[key] = link = new PeerLink(sender.Id, send.ToNodeId, key.Item3, _nextConnection++);
            _linksByConnection[link.Connection] = link;
        }
        link.Waiting.Enqueue(send);
        if (link.InCore is null) StartNext(link);
    }

    /// <summary>Hands the receiver the link's next request once it has answered the one before (a muted channel).</summary>
    private void StartNext(PeerLink link)
    {
        if (!link.Waiting.TryDequeue(out NodeEffect.SendRequest? send)) return;
        link.InCore = send;
        Member receiver = this[link.To];
        Member sender = this[link.From];
        int senderIncarnation = sender.Incarnation;
        if (!receiver.IsUp || !Reachable(link.From, link.To))
        {
            long failAtMs = NowMs + (receiver.IsUp ? PeerRequestTimeoutMs : 2 * LatencyMs);
            Schedule(failAtMs, () =>
            {
                if (link.InCore != send) return;
                link.InCore = null;
                if (sender.IsUp && sender.Incarnation == senderIncarnation)
                    Deliver(sender, new NodeInput.RequestFailed(NowMs, link.To, send.CorrelationId, "disconnected"));
                StartNext(link);
            });
            return;
        }
        int receiverIncarnation = receiver.Incarnation;
        Schedule(NowMs + LatencyMs, () =>
        {
            if (link.InCore != send || !receiver.IsUp || receiver.Incarnation != receiverIncarnation) return;
            var context = new RequestContext(new ConnectionId(link.Connection), ListenerKind.Controller, send.CorrelationId, send.ApiVersion,
                $"node-{link.From}", "127.0.0.1", NowMs);
            Deliver(receiver, new NodeInput.RequestReceived(NowMs, context, RoundTrip(send.CorrelationId, send.ApiVersion, send.Body)));
        });
        // A receiver that never answers (cut off meanwhile) leaves the request to time out.
        Schedule(NowMs + PeerRequestTimeoutMs, () =>
        {
            if (link.InCore != send) return;
            Break(link);
        });
    }

    private void Answer(Member receiver, NodeEffect.Respond respond)
    {
        long connection = respond.Context.Connection.Value;
        if (!_linksByConnection.TryGetValue(connection, out PeerLink? link))
        {
            if (_clientAnswers.ContainsKey(respond.Context.CorrelationId))
                _clientAnswers[respond.Context.CorrelationId] = RoundTrip(respond.Context.CorrelationId, respond.Context.ApiVersion, respond.Body.ApiKey, respond.Body);
            return;
        }
        if (link.InCore is not { } send || send.CorrelationId != respond.Context.CorrelationId) return;
        Member sender = this[link.From];
        int senderIncarnation = sender.Incarnation;
        IResponseBody body = RoundTrip(send.CorrelationId, send.ApiVersion, send.Body.ApiKey, respond.Body);
        bool reachable = Reachable(link.From, link.To);
        Schedule(NowMs + LatencyMs, () =>
        {
            if (link.InCore != send || !reachable) return;
            link.InCore = null;
            if (sender.IsUp && sender.Incarnation == senderIncarnation)
                Deliver(sender, new NodeInput.ResponseReceived(NowMs, link.To, send.CorrelationId, body));
            StartNext(link);
        });
    }

    /// <summary>The connection is lost: its requests fail for the sender, and the receiver sees it close.</summary>
    private void Break(PeerLink link)
    {
        var failed = new List<NodeEffect.SendRequest>();
        if (link.InCore is { } inCore) failed.Add(inCore);
        failed.AddRange(link.Waiting);
        link.InCore = null;
        link.Waiting.Clear();
        _links.Remove((link.From, link.To, link.Channel));
        _linksByConnection.Remove(link.Connection);
        Member receiver = this[link.To];
        if (receiver.IsUp) Deliver(receiver, new NodeInput.ConnectionClosed(NowMs, new ConnectionId(link.Connection)));
        Member sender = this[link.From];
        if (!sender.IsUp) return;
        foreach (NodeEffect.SendRequest send in failed) Deliver(sender, new NodeInput.RequestFailed(NowMs, link.To, send.CorrelationId, "disconnected"));
    }
}
