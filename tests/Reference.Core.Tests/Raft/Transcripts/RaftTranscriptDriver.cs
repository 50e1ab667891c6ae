using System.Globalization;
using System.Text;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Raft.Transcripts;

/// <summary>
/// Runs the commands of a golden transcript against real <see cref="RaftReplica"/>s in a
/// <see cref="RaftTestCluster"/> (virtual time, explicit delivery, every message through its wire encoding,
/// <see cref="RaftInvariants"/> after every step) and writes what each step did. The commands are listed in
/// Raft/Transcripts/testdata/README.md; this class and that README change together.
/// </summary>
internal sealed class RaftTranscriptDriver
{
    private readonly StringBuilder _output = new();
    private readonly SortedDictionary<int, (string State, long HighWatermark)> _seen = new();
    private RaftTestCluster? _cluster;
    private int _nextRecordValue = 1;

    /// <summary>Runs one command line and returns what it printed, each line ending in \n; never empty.</summary>
    public string Run(string commandLine)
    {
        _output.Clear();
        var command = new Command(commandLine);
        switch (command.Verb)
        {
            case "cluster": NewCluster(command); break;
            case "tick": Tick(command.Node(), command.Long("ms", 0)); break;
            case "timeout": Timeout(command.Node()); break;
            case "deliver": Deliver(command); break;
            case "run": Cluster.RunFor(command.Long("ms", 0)); break;
            case "drop": Drop(command); break;
            case "flush": Flush(command.Node()); break;
            case "pending": Pending(); break;
            case "propose": Propose(command.Node(), (int)command.Long("records", 1)); break;
            case "resign": Cluster.Step(command.Node(), (replica, effects) => Line(replica.Resign(Cluster.NowMs, effects) ? "" : $"n{command.Node()} is not leading")); break;
            case "crash": Crash(command.Node()); break;
            case "restart": Cluster.Start(command.Node()); break;
            case "isolate": Cluster.Isolate(command.Node()); break;
            case "cut": Cut(command); break;
            case "heal": Cluster.Heal(); break;
            case "status": Status(); break;
            case "log": Log(command.Node()); break;
            default: throw new FormatException($"unknown command '{command.Verb}'");
        }
        string text = string.Join("\n", _output.ToString().Split('\n').Where(line => line.Length > 0));
        return text.Length == 0 ? "ok\n" : text + "\n";
    }

    private RaftTestCluster Cluster => _cluster ?? throw new FormatException("the first command must be 'cluster voters=N'");

    private void NewCluster(Command command)
    {
        _cluster = new RaftTestCluster((int)command.Long("voters", 3), seed: (ulong)command.Long("seed", 1));
        _cluster.StepObserved = OnStep;
        _cluster.DeliveryObserved = OnDelivery;
        _cluster.TickObserved = nodeId => Line($"t={_cluster.NowMs} tick n{nodeId}");
        _cluster.StartAll();
    }

    private void Tick(int nodeId, long durationMs)
    {
        Cluster.AdvanceTime(durationMs);
        Line($"t={Cluster.NowMs} tick n{nodeId}");
        Cluster.Step(nodeId, (replica, effects) => replica.Tick(Cluster.NowMs, effects));
    }

    /// <summary>Moves time to the node's next deadline (its election, fetch or pre-vote timer, a retry) and ticks it there.</summary>
    private void Timeout(int nodeId)
    {
        long deadlineMs = Cluster[nodeId].Replica.NextDeadlineMs;
        if (deadlineMs == long.MaxValue) throw new FormatException($"n{nodeId} has no deadline to wait for");
        Tick(nodeId, Math.Max(0, deadlineMs - Cluster.NowMs));
    }

    /// <summary><c>cut nodes=A,B</c>: messages between A and B, both ways, are lost at delivery until <c>heal</c>.</summary>
    private void Cut(Command command)
    {
        int[] nodes = command.Text("nodes").Split(',').Select(id => int.Parse(id, CultureInfo.InvariantCulture)).ToArray();
        if (nodes.Length != 2) throw new FormatException("cut takes nodes=A,B");
        Cluster.Cut(nodes[0], nodes[1]);
    }

    /// <summary>
    /// <c>deliver all</c>: everything, including what the deliveries send, until nothing is left (flushes too).
    /// <c>deliver [from=A] [to=B]</c>: the messages queued now that match, in the order they were sent;
    /// what they send in turn stays queued.
    /// </summary>
    private void Deliver(Command command)
    {
        if (command.HasWord("all"))
        {
            Cluster.DeliverAll();
            return;
        }
        List<ClusterEvent> chosen = Cluster.Events.Where(command.Matches).ToList();
        if (chosen.Count == 0) Line("nothing to deliver");
        foreach (ClusterEvent next in chosen) Cluster.DeliverAt(IndexOf(next));
    }

    private void Drop(Command command)
    {
        List<ClusterEvent> chosen = Cluster.Events.Where(command.Matches).ToList();
        foreach (ClusterEvent next in chosen)
        {
            Line($"dropped {Describe(next)}");
            Cluster.DropAt(IndexOf(next));
        }
        if (chosen.Count == 0) Line("nothing to drop");
    }

    private void Flush(int nodeId)
    {
        int index = Cluster.Events.ToList().FindIndex(e => e is FlushEvent flush && flush.Node == nodeId);
        if (index < 0) Line($"n{nodeId} has no flush pending");
        else Cluster.DeliverAt(index);
    }

    private int IndexOf(ClusterEvent queued)
    {
        for (int i = 0; i < Cluster.Events.Count; i++)
            if (ReferenceEquals(Cluster.Events[i], queued)) return i;
        throw new InvalidOperationException($"{queued} is no longer queued");
    }

    private void Pending()
    {
        foreach (ClusterEvent queued in Cluster.Events) Line(Describe(queued));
    }

    private void Propose(int nodeId, int recordCount)
    {
        var values = Enumerable.Range(0, recordCount).Select(_ => $"v{_nextRecordValue++}").ToArray();
        ProposalResult result = Cluster.Propose(nodeId, values);
        Line(result.Rejection == ProposalRejection.None
            ? $"n{nodeId} proposed {string.Join(",", values)} at {result.BaseOffset}..{result.LastOffset} epoch={result.Epoch}"
            : $"n{nodeId} refused the proposal: {result.Rejection}");
    }

    private void Crash(int nodeId)
    {
        RaftTestNode node = Cluster[nodeId];
        long lost = node.Storage.Extent(TopicPartition.ClusterMetadata).EndOffset - node.Storage.Extent(TopicPartition.ClusterMetadata).DurableEndOffset;
        Cluster.Crash(nodeId);
        Line($"n{nodeId} crashed; its disk keeps {EndOnDisk(node)}{(lost > 0 ? $", {lost} unflushed records lost" : "")}");
        _seen.Remove(nodeId);
    }

    private void Status()
    {
        foreach (RaftTestNode node in Cluster.Nodes)
        {
            QuorumStateData? persisted = node.Storage.QuorumState;
            string voted = RaftMessageText.Id(persisted?.VotedId ?? -1);
            Line(node.IsUp
                ? $"n{node.Id} {StateOf(node)} voted={voted} end={EndOnDisk(node)} hw={node.Replica.HighWatermark}"
                : $"n{node.Id} down, disk: epoch={persisted?.LeaderEpoch ?? 0} voted={voted} end={EndOnDisk(node)}");
        }
    }

    private void Log(int nodeId)
    {
        MemoryLogStorageView log = new(Cluster[nodeId]);
        if (log.Batches.Count == 0) Line("empty");
        foreach (RaftMessageText.BatchText batch in log.Batches)
            Line($"{batch}{(batch.LastOffset >= log.DurableEndOffset ? " (not durable)" : "")}");
    }

    /// <summary>A node's metadata log as its disk holds it (read, not changed).</summary>
    private readonly struct MemoryLogStorageView(RaftTestNode node)
    {
        public long DurableEndOffset { get; } = node.Storage.Extent(TopicPartition.ClusterMetadata).DurableEndOffset;

        public IReadOnlyList<RaftMessageText.BatchText> Batches { get; } = RaftMessageText.Batches(node.Storage.Read(TopicPartition.ClusterMetadata, 0,
            node.Storage.Extent(TopicPartition.ClusterMetadata).EndOffset, int.MaxValue));
    }

    /// <summary>The log end with the epoch of the last batch, as a vote compares them.</summary>
    private static string EndOnDisk(RaftTestNode node)
    {
        LogExtentAndEpoch end = LogEndOf(node);
        string durable = end.DurableEndOffset < end.EndOffset ? $" (durable {end.DurableEndOffset})" : "";
        return RaftMessageText.LogEnd(end.EndOffset, end.LastEpoch) + durable;
    }

    private readonly record struct LogExtentAndEpoch(long EndOffset, long DurableEndOffset, int LastEpoch);

    private static LogExtentAndEpoch LogEndOf(RaftTestNode node)
    {
        var extent = node.Storage.Extent(TopicPartition.ClusterMetadata);
        int lastEpoch = node.Storage.LeaderEpochs(TopicPartition.ClusterMetadata).Select(e => e.Epoch).DefaultIfEmpty(0).Last();
        return new LogExtentAndEpoch(extent.EndOffset, extent.DurableEndOffset, lastEpoch);
    }

    private static string StateOf(RaftTestNode node) =>
        $"{node.Replica.State} epoch={node.Replica.Epoch} leader={RaftMessageText.Id(node.Replica.LeaderId ?? -1)}";

    private ClusterEvent? _delivering;

    private void OnDelivery(ClusterEvent delivered, bool lost)
    {
        _delivering = lost ? null : delivered;
        if (delivered is FlushEvent flush && (!Cluster[flush.Node].IsUp || Cluster[flush.Node].Incarnation != flush.Incarnation))
            Line($"{Describe(delivered)} (the node restarted since: nothing happens)");
        else Line(Describe(delivered) + (lost ? " (lost)" : ""));
    }

    /// <summary>After each step: the state it moved to, its high watermark if that moved, then its effects in order.</summary>
    private void OnStep(RaftTestNode node, string before, IReadOnlyList<NodeEffect> effects)
    {
        string state = StateOf(node);
        long highWatermark = node.Replica.HighWatermark;
        if (!_seen.TryGetValue(node.Id, out (string State, long HighWatermark) last)) Line($"  n{node.Id} starts {state}, log end {EndOnDisk(node)}");
        else
        {
            if (last.State != state) Line($"  n{node.Id} {last.State} -> {state}");
            if (last.HighWatermark != highWatermark) Line($"  n{node.Id} hw {last.HighWatermark} -> {highWatermark}");
        }
        _seen[node.Id] = (state, highWatermark);
        foreach (NodeEffect effect in effects) Line($"  n{node.Id} {RaftMessageText.Effect(effect)}");
        // A leader with nothing new for a fetch holds it (long polling) rather than answer: say so, or the silence reads as a loss.
        if (_delivering is RequestEvent { Body: FetchRequest } fetch && fetch.To == node.Id && node.Replica.IsLeader && !effects.OfType<NodeEffect.Respond>().Any())
            Line($"  n{node.Id} holds the fetch until there is news or it times out");
        _delivering = null;
    }

    private static string Describe(ClusterEvent queued) => queued switch
    {
        RequestEvent request => $"{request.From}->{request.To} {RaftMessageText.Request(request.Body)}",
        ResponseEvent response => $"{response.From}->{response.To} {RaftMessageText.Response(response.Body)}",
        FlushEvent flush => $"flush n{flush.Node}",
        _ => queued.ToString(),
    };

    private void Line(string text)
    {
        if (text.Length > 0) _output.Append(text).Append('\n');
    }

    /// <summary>A command line: a verb, bare words, and key=value arguments.</summary>
    private sealed class Command
    {
        private readonly List<string> _words = [];
        private readonly SortedDictionary<string, string> _arguments = new(StringComparer.Ordinal);

        public Command(string line)
        {
            string[] tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Verb = tokens.Length > 0 ? tokens[0] : throw new FormatException("an empty command");
            foreach (string token in tokens.Skip(1))
            {
                int equals = token.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0) _words.Add(token);
                else _arguments[token[..equals]] = token[(equals + 1)..];
            }
        }

        public string Verb { get; }

        public bool HasWord(string word) => _words.Contains(word);

        public long Long(string key, long fallback) => _arguments.TryGetValue(key, out string? value)
            ? long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : fallback;

        public string Text(string key) => _arguments.TryGetValue(key, out string? value) ? value : throw new FormatException($"'{Verb}' needs {key}=");

        public int Node() => _arguments.ContainsKey("node") ? (int)Long("node", 0) : throw new FormatException($"'{Verb}' needs node=N");

        /// <summary>Messages (not flushes) whose sender and receiver match the from= and to= given.</summary>
        public bool Matches(ClusterEvent queued)
        {
            (int from, int to) = queued switch
            {
                RequestEvent request => (request.From, request.To),
                ResponseEvent response => (response.From, response.To),
                _ => (-1, -1),
            };
            return from >= 0 && (!_arguments.ContainsKey("from") || Long("from", 0) == from) && (!_arguments.ContainsKey("to") || Long("to", 0) == to);
        }
    }
}
