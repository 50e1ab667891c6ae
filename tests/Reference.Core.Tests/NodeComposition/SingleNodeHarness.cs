using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.NodeComposition;

/// <summary>
/// Drives one real <see cref="Core.Node.Node"/> over an in-memory disk the way a shell must: effects carried
/// out in order before the next input, flushes answered with LogFlushed, wake-ups honoured in virtual
/// time. Requests are sent as a client would and their answers collected. A crash keeps only what was
/// flushed and starts a new node over the same disk.
/// </summary>
internal sealed class SingleNodeHarness
{
    private const int StepsPerCallMax = 100_000;
    private readonly Queue<NodeInput> _inputs = new();
    private readonly SortedSet<long> _wakes = [];
    private readonly Dictionary<int, IResponseBody> _answers = [];
    private int _nextCorrelationId = 1;
    private long _nextConnection = 1;

    public SingleNodeHarness(Func<NodeConfig, NodeConfig>? configure = null)
    {
        Config = (configure ?? (c => c))(new NodeConfig
        {
            NodeId = 1,
            ClusterId = "AAAAAAAAAAAAAAAAAAAAAQ",
            Voters = [new VoterAddress(1, "localhost", 9093)],
            AdvertisedBrokerEndpoints = [new Endpoint("PLAINTEXT", "localhost", 9092)],
            OffsetsTopicNumPartitions = 3,
            OffsetsTopicReplicationFactor = 1,
            GroupInitialRebalanceDelayMs = 0,
        });
        Disk = new MemoryLogStorage();
        Node = Start();
    }

    public NodeConfig Config { get; }

    public MemoryLogStorage Disk { get; }

    public Core.Node.Node Node { get; private set; }

    public long NowMs { get; private set; }

    /// <summary>Every effect the node emitted, in order, across restarts.</summary>
    public List<NodeEffect> History { get; } = [];

    private Core.Node.Node Start()
    {
        _inputs.Clear();
        _wakes.Clear();
        var node = new Core.Node.Node(Config, Disk, Disk.QuorumState, new SplitMix64Random(7));
        Node = node;
        Deliver(new NodeInput.Started(NowMs));
        return node;
    }

    /// <summary>A power cut: unflushed data is lost and a fresh node starts over the same disk.</summary>
    public void CrashAndRestart()
    {
        Disk.Crash();
        Start();
    }

    /// <summary>Lets virtual time run until <paramref name="durationMs"/> has passed, serving every wake-up.</summary>
    public void RunFor(long durationMs)
    {
        long until = NowMs + durationMs;
        DrainInputs();
        while (_wakes.Count > 0 && _wakes.Min <= until)
        {
            long at = _wakes.Min;
            _wakes.Remove(at);
            NowMs = Math.Max(NowMs, at);
            Deliver(new NodeInput.TimeAdvanced(NowMs));
        }
        NowMs = until;
    }

    /// <summary>Sends a request as a client and runs the node until it is answered (or the time limit passes).</summary>
    public TResponse Send<TResponse>(IRequestBody body, short version, long timeLimitMs = 30_000) where TResponse : IResponseBody
    {
        int correlationId = _nextCorrelationId++;
        var context = new RequestContext(new ConnectionId(_nextConnection++), ListenerKind.Broker, correlationId, version, "harness", "127.0.0.1", NowMs);
        Deliver(new NodeInput.RequestReceived(NowMs, context, body));
        long deadline = NowMs + timeLimitMs;
        while (!_answers.ContainsKey(correlationId) && NowMs < deadline)
        {
            if (_wakes.Count == 0) break;
            RunFor(Math.Max(1, Math.Min(_wakes.Min - NowMs, deadline - NowMs)));
        }
        Assert.True(_answers.Remove(correlationId, out IResponseBody? answer), $"{body.ApiKey} v{version} was not answered within {timeLimitMs} ms");
        return Assert.IsType<TResponse>(answer);
    }

    /// <summary>Sends a request that must never be answered (acks=0) and lets the node process it.</summary>
    public void SendWithoutAnswer(IRequestBody body, short version)
    {
        var context = new RequestContext(new ConnectionId(_nextConnection++), ListenerKind.Broker, _nextCorrelationId++, version, "harness", "127.0.0.1", NowMs);
        Deliver(new NodeInput.RequestReceived(NowMs, context, body));
        Assert.False(_answers.ContainsKey(context.CorrelationId), "an acks=0 produce was answered");
    }

    private void Deliver(NodeInput input)
    {
        _inputs.Enqueue(input);
        DrainInputs();
    }

    private void DrainInputs()
    {
        for (int step = 0; step < StepsPerCallMax && _inputs.TryDequeue(out NodeInput? input); step++)
        {
            Disk.NowMs = input.NowMs;
            foreach (NodeEffect effect in Node.Handle(input)) CarryOut(effect);
        }
        Assert.Empty(_inputs);
    }

    private void CarryOut(NodeEffect effect)
    {
        History.Add(effect);
        switch (effect)
        {
            case NodeEffect.FlushLog flush:
                _inputs.Enqueue(new NodeInput.LogFlushed(NowMs, flush.Log, Disk.Flush(flush.Log)));
                break;
            case NodeEffect.WakeAt wake:
                _wakes.Add(wake.AtMs);
                break;
            case NodeEffect.Respond respond:
                _answers[respond.Context.CorrelationId] = respond.Body;
                break;
            case NodeEffect.SendRequest send:
                throw new InvalidOperationException($"a single node sent {send.Body.ApiKey} to node {send.ToNodeId}");
            default:
                Assert.True(Disk.Apply(effect), $"the disk refused {effect}");
                break;
        }
    }
}
