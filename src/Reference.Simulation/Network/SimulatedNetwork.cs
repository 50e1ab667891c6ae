using Reference.Core.Node;
using Reference.Simulation.Faults;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Network;

/// <summary>One end of a link: a node (by id) or a workload client (by client id).</summary>
public readonly record struct NetworkAddress(bool IsClient, int Id)
{
    public static NetworkAddress Node(int nodeId) => new(false, nodeId);

    public static NetworkAddress Client(int clientId) => new(true, clientId);

    public override string ToString() => IsClient ? $"c{Id}" : $"n{Id}";
}

/// <summary>What the network does with one message: loses it, or delivers it once or twice.</summary>
public readonly record struct Transmission(bool Lost, string? LossCause, long ArrivalMs, long? DuplicateArrivalMs, bool Reordered);

/// <summary>
/// The wire between simulated processes. Each ordered link has its own random stream and its own mean
/// latency (drawn once around the knob's mean, so some links are slower than others). A message sent on a
/// link is lost (loss, or a partition blocking the link when it is sent), or arrives after a latency drawn
/// for it, not before the link's clog ends, and (unless this message may be reordered) not before the
/// previous message on its connection: TCP keeps a connection's order. Partitions and clogs hold only
/// between nodes; clients sit outside the cluster and see latency, loss and duplication only.
/// </summary>
public sealed class SimulatedNetwork
{
    /// <summary>A tail message takes up to this many times its link's mean latency.</summary>
    public const int TailLatencyFactorMax = 10;

    private sealed class Link(SplitMix64Random random, long meanMs)
    {
        public SplitMix64Random Random { get; } = random;
        public long MeanMs { get; } = meanMs;
        public int BlockedBy;
        public long ClogUntilMs;
    }

    private readonly FaultKnobs _knobs;
    private readonly RandomStreams _streams;
    // Looked up, never enumerated: its hash order cannot reach the run.
    private readonly Dictionary<(NetworkAddress From, NetworkAddress To), Link> _links = new();

    public SimulatedNetwork(FaultKnobs knobs, RandomStreams streams)
    {
        _knobs = knobs;
        _streams = streams;
    }

    public long MessagesSent { get; private set; }
    public long MessagesLost { get; private set; }
    public long MessagesDuplicated { get; private set; }
    public long MessagesReordered { get; private set; }

    /// <summary>
    /// Decides the fate of one message sent now. <paramref name="lastArrivalMs"/> is the latest arrival on the
    /// message's connection in this direction; it is moved on when this message keeps the order.
    /// </summary>
    public Transmission Transmit(NetworkAddress from, NetworkAddress to, long nowMs, ref long lastArrivalMs)
    {
        Link link = LinkFor(from, to);
        MessagesSent++;
        // Every message draws the same number of values, so one fault's presence never shifts the next message's draws.
        bool lost = _knobs.Loss.Happens(link.Random);
        long latencyMs = DrawLatency(link);
        bool reorder = _knobs.Reorder.Happens(link.Random);
        bool duplicate = _knobs.Duplicate.Happens(link.Random);
        long duplicateLatencyMs = DrawLatency(link);
        if (link.BlockedBy > 0) return Lose("partition");
        if (lost) return Lose("loss");
        long arrival = Math.Max(nowMs + latencyMs, link.ClogUntilMs);
        bool overtakes = reorder && arrival < lastArrivalMs;
        if (!reorder) arrival = Math.Max(arrival, lastArrivalMs);
        lastArrivalMs = Math.Max(lastArrivalMs, arrival);
        if (overtakes) MessagesReordered++;
        if (arrival < nowMs + _knobs.LatencyMinMs) throw new InvalidOperationException($"{from}->{to}: a message arrives at {arrival} ms, sooner than the least latency after {nowMs} ms");
        long? second = null;
        if (duplicate)
        {
            MessagesDuplicated++;
            second = Math.Max(nowMs + duplicateLatencyMs, link.ClogUntilMs);
        }
        return new Transmission(false, null, arrival, second, overtakes);
    }

    private Transmission Lose(string cause)
    {
        MessagesLost++;
        return new Transmission(true, cause, 0, null, false);
    }

    /// <summary>One way: <paramref name="from"/>'s messages to <paramref name="to"/> are lost until <see cref="Unblock"/>. Blocks nest.</summary>
    public void Block(int fromNodeId, int toNodeId) => LinkFor(NetworkAddress.Node(fromNodeId), NetworkAddress.Node(toNodeId)).BlockedBy++;

    public void Unblock(int fromNodeId, int toNodeId)
    {
        Link link = LinkFor(NetworkAddress.Node(fromNodeId), NetworkAddress.Node(toNodeId));
        if (link.BlockedBy == 0) throw new InvalidOperationException($"n{fromNodeId}->n{toNodeId} is not blocked");
        link.BlockedBy--;
    }

    public bool IsBlocked(int fromNodeId, int toNodeId) => LinkFor(NetworkAddress.Node(fromNodeId), NetworkAddress.Node(toNodeId)).BlockedBy > 0;

    /// <summary>Messages sent on the link arrive no earlier than <paramref name="untilMs"/> (FoundationDB's clogging: held, not lost).</summary>
    public void Clog(int fromNodeId, int toNodeId, long untilMs)
    {
        Link link = LinkFor(NetworkAddress.Node(fromNodeId), NetworkAddress.Node(toNodeId));
        link.ClogUntilMs = Math.Max(link.ClogUntilMs, untilMs);
    }

    /// <summary>min + uniform spread around the link's mean; now and then a tail of up to ten times the mean.</summary>
    private long DrawLatency(Link link)
    {
        long minMs = _knobs.LatencyMinMs;
        long spreadMs = Math.Max(0, 2 * (link.MeanMs - minMs));
        long latencyMs = minMs + (long)(link.Random.NextUInt64() % (ulong)(spreadMs + 1));
        bool tail = _knobs.LatencyTail.Happens(link.Random);
        long factor = 2 + link.Random.Next(TailLatencyFactorMax - 1);
        return tail ? latencyMs + factor * link.MeanMs : latencyMs;
    }

    private Link LinkFor(NetworkAddress from, NetworkAddress to)
    {
        if (_links.TryGetValue((from, to), out Link? link)) return link;
        SplitMix64Random random = _streams.Stream($"network/{from}->{to}");
        long knobMeanMs = _knobs.LatencyMeanMs;
        // Each link's mean lies within ±50% of the knob's, drawn once from the link's own stream.
        long meanMs = Math.Max(_knobs.LatencyMinMs, knobMeanMs / 2 + (long)(random.NextUInt64() % (ulong)(knobMeanMs + 1)));
        link = new Link(random, meanMs);
        _links[(from, to)] = link;
        return link;
    }
}
