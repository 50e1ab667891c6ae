using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Raft.Harness;

/// <summary>
/// A tiny KRaft cluster in one thread for tests, in the manner of Kafka's RaftEventSimulationTest: N voters
/// and M observers, each with its own in-memory disk, a queue of messages and flush completions that the test
/// delivers (in order, or in any order it likes), virtual time, isolation and crashes. Every message goes
/// through its wire encoding. <see cref="RaftInvariants"/> are checked after every event.
/// </summary>
internal sealed class RaftTestCluster
{
    public const string ClusterId = "raft-test-cluster";

    /// <summary>How many events one call may deliver before the test is taken to be livelocked.</summary>
    public const int EventsPerCallMax = 200_000;

    private readonly SortedDictionary<int, RaftTestNode> _nodes = new();
    private readonly List<ClusterEvent> _events = [];
    private readonly SortedSet<int> _isolated = [];
    private readonly SortedSet<(int, int)> _cutLinks = [];
    private readonly SortedSet<int> _flushesHeld = [];
    private readonly Dictionary<(int To, int From, int CorrelationId), IRequestBody> _openRequests = new();
    private readonly Queue<string> _trace = new();

    /// <summary>How many of the latest events <see cref="Trace"/> keeps for a failure message.</summary>
    public const int TraceLinesMax = 200;

    /// <summary>The latest events and what each did, oldest first: read it when a test fails.</summary>
    public string Trace => string.Join(Environment.NewLine, _trace);

    public RaftTestCluster(int voterCount, int observerCount = 0, ulong seed = 1, Func<NodeConfig, NodeConfig>? configure = null)
    {
        var voters = Enumerable.Range(1, voterCount).Select(id => new VoterAddress(id, "localhost", 9090 + id)).ToList();
        for (int id = 1; id <= voterCount + observerCount; id++)
        {
            var config = new NodeConfig
            {
                NodeId = id,
                ClusterId = ClusterId,
                Voters = voters,
                AdvertisedBrokerEndpoints = [],
                IsController = id <= voterCount,
            };
            _nodes[id] = new RaftTestNode(configure?.Invoke(config) ?? config, seed * 1_000 + (ulong)id);
        }
        Invariants = new RaftInvariants(voters.Select(voter => voter.NodeId).ToList());
    }

    public long NowMs { get; private set; }

    /// <summary>Sees every step: the node, its state before the step (<see cref="RaftTestNode.ToString"/>), and the effects it asked for. The golden transcripts print from here.</summary>
    public Action<RaftTestNode, string, IReadOnlyList<NodeEffect>>? StepObserved { get; set; }

    /// <summary>Sees every tick the cluster gives a node whose deadline came (in <see cref="RunUntil"/>), before the step.</summary>
    public Action<int>? TickObserved { get; set; }

    /// <summary>Sees every event as it is delivered, and whether its path was cut (then it is lost).</summary>
    public Action<ClusterEvent, bool>? DeliveryObserved { get; set; }

    /// <summary>Moves virtual time forward without ticking anyone (time never goes back).</summary>
    public void AdvanceTime(long durationMs)
    {
        if (durationMs < 0) throw new ArgumentOutOfRangeException(nameof(durationMs), durationMs, "time never goes back");
        NowMs += durationMs;
    }

    public RaftInvariants Invariants { get; }

    public IReadOnlyList<ClusterEvent> Events => _events;

    public IEnumerable<RaftTestNode> Nodes => _nodes.Values;

    public RaftTestNode this[int nodeId] => _nodes[nodeId];

    /// <summary>The leaders among the nodes that are up (a correct cluster never has two in one epoch).</summary>
    public IReadOnlyList<RaftTestNode> Leaders => _nodes.Values.Where(node => node.IsUp && node.Replica.IsLeader).ToList();

    public void StartAll()
    {
        foreach (RaftTestNode node in _nodes.Values) Start(node.Id);
    }

    public void Start(int nodeId)
    {
        RaftTestNode node = _nodes[nodeId];
        string before = node.ToString();
        IReadOnlyList<NodeEffect> effects = node.Start(NowMs, effect => OnEffect(node, effect));
        StepObserved?.Invoke(node, before, effects);
        Invariants.Check(this);
    }

    /// <summary>The node loses power: unflushed writes and in-memory state are gone, its flushes never finish.</summary>
    public void Crash(int nodeId) => _nodes[nodeId].Crash();

    /// <summary>Messages to and from the node are lost until <see cref="Heal"/>.</summary>
    public void Isolate(int nodeId) => _isolated.Add(nodeId);

    /// <summary>Messages between the two nodes, both ways, are lost until <see cref="Heal"/>; others still flow.</summary>
    public void Cut(int nodeA, int nodeB) => _cutLinks.Add((Math.Min(nodeA, nodeB), Math.Max(nodeA, nodeB)));

    public void Heal()
    {
        _isolated.Clear();
        _cutLinks.Clear();
    }

    /// <summary>The node's flushes stay pending (its disk is slow) until <see cref="ReleaseFlushes"/>.</summary>
    public void HoldFlushes(int nodeId) => _flushesHeld.Add(nodeId);

    public void ReleaseFlushes(int nodeId) => _flushesHeld.Remove(nodeId);

    /// <summary>Runs one step on a node (a proposal, a resignation) and carries out its effects.</summary>
    public IReadOnlyList<Node.NodeEffect> Step(int nodeId, Action<RaftReplica, Effects> step)
    {
        RaftTestNode node = _nodes[nodeId];
        string before = node.ToString();
        IReadOnlyList<NodeEffect> effects = node.Step(NowMs, e => step(node.Replica, e), effect => OnEffect(node, effect));
        if (node.ToString() != before) Remember($"  {node}");
        StepObserved?.Invoke(node, before, effects);
        Invariants.Check(this);
        return effects;
    }

    public ProposalResult Propose(int nodeId, params string[] values)
    {
        ProposalResult result = default;
        Step(nodeId, (replica, effects) =>
            result = replica.TryPropose(values.Select(value => (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(value)).ToList(), NowMs, effects));
        return result;
    }

    /// <summary>Delivers the event at <paramref name="index"/> (or drops it if its path is cut); false when held back.</summary>
    public bool DeliverAt(int index)
    {
        ClusterEvent next = _events[index];
        if (next is FlushEvent flush && _flushesHeld.Contains(flush.Node) && _nodes[flush.Node].Incarnation == flush.Incarnation) return false;
        _events.RemoveAt(index);
        Deliver(next);
        Invariants.Check(this);
        return true;
    }

    /// <summary>The network loses the event at <paramref name="index"/> (a flush cannot be lost, only held).</summary>
    public void DropAt(int index)
    {
        if (_events[index] is FlushEvent) return;
        _events.RemoveAt(index);
    }

    /// <summary>Delivers events in the order they were queued until none is left that may be delivered.</summary>
    public void DeliverAll()
    {
        for (int delivered = 0; delivered < EventsPerCallMax; delivered++)
        {
            int index = _events.FindIndex(e => e is not FlushEvent flush || !_flushesHeld.Contains(flush.Node));
            if (index < 0) return;
            DeliverAt(index);
        }
        throw new InvalidOperationException($"more than {EventsPerCallMax} events at {NowMs} ms: a livelock");
    }

    /// <summary>Moves time to the earliest deadline of a node that is up (if it is before <paramref name="limitMs"/>) and ticks the nodes due.</summary>
    public bool AdvanceToNextDeadline(long limitMs)
    {
        long next = _nodes.Values.Where(node => node.IsUp).Select(node => node.Replica.NextDeadlineMs).DefaultIfEmpty(long.MaxValue).Min();
        if (next > limitMs) return false;
        NowMs = Math.Max(NowMs, next);
        foreach (RaftTestNode node in _nodes.Values.Where(node => node.IsUp && node.Replica.NextDeadlineMs <= NowMs).ToList())
        {
            Remember($"tick {node.Id}");
            TickObserved?.Invoke(node.Id);
            Step(node.Id, (replica, effects) => replica.Tick(NowMs, effects));
        }
        return true;
    }

    /// <summary>Delivers everything and advances time, until <paramref name="condition"/> holds or <paramref name="maxMs"/> pass.</summary>
    public bool RunUntil(Func<bool> condition, long maxMs = 30_000)
    {
        long limitMs = NowMs + maxMs;
        for (int round = 0; round < EventsPerCallMax; round++)
        {
            DeliverAll();
            if (condition()) return true;
            if (!AdvanceToNextDeadline(limitMs)) return condition();
        }
        throw new InvalidOperationException($"more than {EventsPerCallMax} rounds at {NowMs} ms: a livelock");
    }

    /// <summary>Lets <paramref name="durationMs"/> of virtual time pass with everything delivered.</summary>
    public void RunFor(long durationMs)
    {
        long untilMs = NowMs + durationMs;
        RunUntil(() => false, durationMs);
        NowMs = Math.Max(NowMs, untilMs);
    }

    public override string ToString() => $"at {NowMs} ms: " + string.Join("; ", _nodes.Values) + Environment.NewLine + Trace;

    private void Remember(string line)
    {
        if (_trace.Count == TraceLinesMax) _trace.Dequeue();
        _trace.Enqueue($"{NowMs,7} {line}");
    }

    private void Deliver(ClusterEvent next)
    {
        Remember($"{next}{(next is RequestEvent or ResponseEvent && !CanReachEvent(next) ? " (lost)" : "")}");
        DeliveryObserved?.Invoke(next, !CanReachEvent(next));
        switch (next)
        {
            case RequestEvent request when CanReach(request.From, request.To):
                RaftTestNode server = _nodes[request.To];
                IRequestBody body = WireRoundTrip.Request(request.Body, request.Version);
                _openRequests[(request.To, request.From, request.CorrelationId)] = body;
                var context = new RequestContext(new ConnectionId(request.From), ListenerKind.Controller, request.CorrelationId, request.Version,
                    $"node-{request.From}", "localhost", NowMs);
                Step(server.Id, (replica, effects) =>
                {
                    if (!replica.HandleRequest(context, body, NowMs, effects)) throw new InvalidOperationException($"node {server.Id} refused {body.ApiKey}");
                });
                break;
            case ResponseEvent response when CanReach(response.From, response.To):
                IResponseBody answer = WireRoundTrip.Response(response.Body, response.Version);
                Step(response.To, (replica, effects) => replica.HandleResponse(response.From, response.CorrelationId, answer, NowMs, effects));
                break;
            case FlushEvent flush when _nodes[flush.Node].IsUp && _nodes[flush.Node].Incarnation == flush.Incarnation:
                long durableEndOffset = _nodes[flush.Node].Storage.Flush(TopicPartition.ClusterMetadata);
                Step(flush.Node, (replica, effects) => replica.OnLogFlushed(durableEndOffset, NowMs, effects));
                break;
        }
    }

    private bool CanReachEvent(ClusterEvent e) => e switch
    {
        RequestEvent request => CanReach(request.From, request.To),
        ResponseEvent response => CanReach(response.From, response.To),
        _ => true,
    };

    private bool CanReach(int from, int to) =>
        _nodes[to].IsUp && !_isolated.Contains(from) && !_isolated.Contains(to) && !_cutLinks.Contains((Math.Min(from, to), Math.Max(from, to)));

    private void OnEffect(RaftTestNode node, NodeEffect effect)
    {
        switch (effect)
        {
            case NodeEffect.SendRequest send:
                _events.Add(new RequestEvent(node.Id, send.ToNodeId, send.CorrelationId, send.ApiVersion, send.Body));
                break;
            case NodeEffect.Respond respond:
                int client = (int)respond.Context.Connection.Value;
                if (_openRequests.Remove((node.Id, client, respond.Context.CorrelationId), out IRequestBody? asked))
                    RaftInvariants.CheckVoteDurableBeforeGranted(node, asked, respond.Body);
                _events.Add(new ResponseEvent(node.Id, client, respond.Context.CorrelationId, respond.Context.ApiVersion, respond.Body));
                break;
            case NodeEffect.FlushLog when !_events.Contains(new FlushEvent(node.Id, node.Incarnation)):
                _events.Add(new FlushEvent(node.Id, node.Incarnation));
                break;
        }
    }
}
