using Reference.Core.Node;
using Reference.Simulation.Monitors;
using Reference.Simulation.Randomness;
using Reference.Simulation.Storage;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Traces;

/// <summary>Where a replay first did something other than the trace says, and what each said.</summary>
/// <param name="LineNumber">The trace line of the event that diverged.</param>
/// <param name="EffectIndex">The first effect (0-based) that differs, or -1 when the event itself could not be replayed.</param>
public sealed record ReplayDivergence(int LineNumber, long TimeMs, string Event, int EffectIndex, string Expected, string Actual)
{
    public override string ToString() =>
        $"diverged at line {LineNumber} (t={TimeMs} ms, {Event})" + (EffectIndex >= 0 ? $", effect {EffectIndex + 1}" : "") +
        $"\n  expected: {Expected}\n  actual:   {Actual}";
}

/// <summary>
/// What a replay found: identical (every node asked for the very effects the trace records, and the run
/// ended as recorded), or the first divergence, or a trace this replay cannot set up (a different node
/// implementation's configuration, a bad line).
/// </summary>
public sealed record ReplayResult(long Events, ReplayDivergence? Divergence, SimulationOutcome Outcome, SimulationOutcome? RecordedOutcome, string? Problem)
{
    /// <summary>Effects and outcome both as recorded.</summary>
    public bool IsIdentical => Divergence is null && Problem is null && OutcomeReproduced;

    /// <summary>
    /// The replay ended as the trace did. Violations the simulator finds in the network or the connections
    /// (a bad answer, a codec failure, a bound) are not re-checked: replay re-runs nodes and disks, not the
    /// network, so for those it asks only that every recorded event replays identically. Nor are liveness
    /// violations: they are judged on the explorer's fair suffix, which replay does not know.
    /// </summary>
    public bool OutcomeReproduced => RecordedOutcome is null || RecordedOutcome == Outcome
        || Outcome.IsOk && RecordedOutcome.ViolationName is { } name
            && (name.StartsWith("Simulator.", StringComparison.Ordinal) && name != SimulatorViolations.NodeThrew && name != SimulatorViolations.DiskContract
                || name.StartsWith(SimulatorViolations.LivenessPrefix, StringComparison.Ordinal));

    public override string ToString()
    {
        if (Problem is not null) return $"cannot replay: {Problem}";
        if (Divergence is not null) return Divergence.ToString();
        if (!OutcomeReproduced) return $"effects identical for {Events} events, but the outcome differs\n  expected: {RecordedOutcome}\n  actual:   {Outcome}";
        return $"identical: {Events} events, outcome {Outcome}";
    }
}

/// <summary>
/// Re-runs a trace's inputs through fresh nodes from a <see cref="NodeImplementation"/>: each input is
/// rebuilt from its recorded bytes and delivered to the node it was delivered to, each node's effects are
/// compared with the recorded ones and its storage effects carried out on its own in-memory disk, and the
/// recorded crashes, tears, rotted bytes and recoveries are applied to those disks. The monitors run after
/// every event, as they did in the run (except a step a crash cut short, which the run never showed them),
/// so a recorded violation must be found again. Stops at the first divergence.
/// </summary>
public sealed class TraceReplayer(NodeImplementation implementation, IReadOnlyList<IMonitor>? monitors = null,
    Func<NodeConfig, NodeConfig>? configureNode = null)
{
    private readonly IReadOnlyList<IMonitor> _monitors = monitors ?? [];

    private sealed class ReplayNode(NodeView view)
    {
        public NodeView View { get; } = view;
        public Queue<RecoveryCut>? PendingCuts { get; set; }
    }

    public ReplayResult Replay(TraceDocument trace)
    {
        if (trace.Header.Nodes.Count > 0 && trace.Header.Nodes.All(node => node.ConfigJson is not null)) return ReplayRecordedConfigs(trace);
        var options = new SimulationOptions
        {
            Seed = trace.Header.Seed,
            Voters = trace.Header.Voters,
            Observers = trace.Header.Observers,
            ClusterId = trace.Header.ClusterId,
            Bugs = trace.Header.Bugs,
            MetadataMaxIdleIntervalMs = trace.Header.MetadataMaxIdleIntervalMs,
            ConfigureNode = configureNode,
        };
        IReadOnlyList<NodeConfig> configs = SimulatedCluster.BuildConfigs(options);
        for (int i = 0; i < configs.Count; i++)
        {
            string digest = Cluster.NodeConfigDigest.Of(configs[i]);
            if (i >= trace.Header.Nodes.Count || trace.Header.Nodes[i].ConfigDigest != digest)
                return new ReplayResult(0, null, SimulationOutcome.Ok, trace.End?.Outcome,
                    $"n{i + 1}'s configuration differs from the trace's (the trace has digest {(i < trace.Header.Nodes.Count ? trace.Header.Nodes[i].ConfigDigest : "none")}, this build {digest}); replay with the run's ConfigureNode");
        }
        var run = new Run(this, trace, configs);
        return run.Execute();
    }

    /// <summary>
    /// A trace that carries each node's whole configuration (a real broker's): the nodes are built from it,
    /// each checked against its recorded digest. Spec monitors judge a whole cluster, and a broker's trace
    /// holds one node of it, so only the effects are compared.
    /// </summary>
    private ReplayResult ReplayRecordedConfigs(TraceDocument trace)
    {
        var configs = new List<NodeConfig>();
        foreach (TraceNode node in trace.Header.Nodes)
        {
            NodeConfig config = NodeConfigJson.Read(node.ConfigJson!);
            string digest = NodeConfigJson.Digest(config);
            if (config.NodeId != node.NodeId || digest != node.ConfigDigest)
                return new ReplayResult(0, null, SimulationOutcome.Ok, trace.End?.Outcome,
                    $"n{node.NodeId}'s recorded configuration reads back as a different one (digest {digest}, recorded {node.ConfigDigest})");
            configs.Add(config);
        }
        bool judgeCluster = trace.Header.Source == TraceHeader.SimulatorSource;
        return new Run(judgeCluster ? this : new TraceReplayer(implementation, [], configureNode), trace, configs).Execute();
    }

    private sealed class Run
    {
        private readonly TraceReplayer _owner;
        private readonly TraceDocument _trace;
        private readonly List<ReplayNode> _nodes;
        private readonly RandomStreams _streams;
        private readonly ClusterView _view;
        private readonly History _history = new();
        private SimulationOutcome _outcome = SimulationOutcome.Ok;
        private long _events;

        public Run(TraceReplayer owner, TraceDocument trace, IReadOnlyList<NodeConfig> configs)
        {
            _owner = owner;
            _trace = trace;
            _streams = new RandomStreams(trace.Header.Seed);
            _nodes = configs.Select(c => new ReplayNode(new NodeView(c, c.Voters.Any(v => v.NodeId == c.NodeId))
            {
                Disk = SimulatedFormat.Disk(c, 1),
            })).ToList();
            var coverage = new Coverage();
            foreach (IMonitor monitor in owner._monitors)
                foreach (string goal in monitor.SometimesGoals) coverage.Declare(goal);
            _view = new ClusterView(_nodes.Select(n => n.View).ToList(), _history, coverage);
        }

        public ReplayResult Execute()
        {
            for (int i = 0; i < _trace.Entries.Count && _outcome.IsOk; i++)
            {
                TraceDocument.Line line = _trace.Entries[i];
                TraceEntry? next = i + 1 < _trace.Entries.Count ? _trace.Entries[i + 1].Entry : null;
                _view.NowMs = line.Entry.TimeMs;
                _events++;
                ReplayDivergence? divergence;
                try
                {
                    divergence = Step(line, next);
                }
                catch (Exception error) when (error is TraceFormatException or WireCodecException or ArgumentException)
                {
                    divergence = new ReplayDivergence(line.LineNumber, line.Entry.TimeMs, Describe(line.Entry), -1, "the event replays", $"{error.GetType().Name}: {error.Message}");
                }
                if (divergence is not null) return new ReplayResult(_events, divergence, _outcome, _trace.End?.Outcome, null);
            }
            return new ReplayResult(_events, null, _outcome, _trace.End?.Outcome, null);
        }

        private ReplayNode Node(int nodeId) => _nodes.FirstOrDefault(node => node.View.NodeId == nodeId)
            ?? throw new TraceFormatException($"n{nodeId} is not in the trace's cluster");

        private ReplayDivergence? Step(TraceDocument.Line line, TraceEntry? next)
        {
            switch (line.Entry)
            {
                case TraceEntry.Input input:
                    return ReplayInput(line, input, next);
                case TraceEntry.Crash crash:
                    ReplayNode crashed = Node(crash.NodeId);
                    crashed.View.Disk.Crash(crash.Torn);
                    crashed.View.Node = null;
                    Check(new SimulationEvent.NodeCrashed(crash.TimeMs, crash.NodeId, crash.Cause));
                    return null;
                case TraceEntry.Recovery recovery:
                    return ReplayRecovery(line, recovery);
                case TraceEntry.Corruption corruption:
                    if (!Node(corruption.NodeId).View.Disk.CorruptByte(corruption.Log, corruption.BatchBaseOffset, corruption.ByteIndex, corruption.XorMask))
                        return Diverge(line, "a durable batch to corrupt", "no such batch or byte on the replayed disk");
                    Check(new SimulationEvent.FaultInjected(corruption.TimeMs, $"n{corruption.NodeId} corrupt {corruption.Log}"));
                    return null;
                case TraceEntry.Network network:
                    Check(new SimulationEvent.FaultInjected(network.TimeMs, network.Description));
                    return null;
                case TraceEntry.Preload or TraceEntry.PreloadExtent or TraceEntry.PreloadQuorumState:
                    return Preload(line);
                case TraceEntry.Client client:
                    _history.Append(client.Entry);
                    Check(new SimulationEvent.HistoryRecorded(client.TimeMs, client.Entry));
                    return null;
                default:
                    throw new TraceFormatException($"unknown entry {line.Entry.GetType().Name}");
            }
        }

        /// <summary>Recovery runs once per restart, at the first recovered line (or at the start, if there is none); its cuts are matched in order.</summary>
        private ReplayDivergence? ReplayRecovery(TraceDocument.Line line, TraceEntry.Recovery recovery)
        {
            ReplayNode node = Node(recovery.NodeId);
            node.PendingCuts ??= new Queue<RecoveryCut>(node.View.Disk.Recover());
            string expected = $"recovered log={recovery.Log} end={recovery.EndOffset} reason={recovery.Reason}";
            if (!node.PendingCuts.TryDequeue(out RecoveryCut? cut)) return Diverge(line, expected, "no further cut");
            string actual = $"recovered log={cut.Log} end={cut.EndOffset} reason={cut.Reason}";
            if (actual != expected) return Diverge(line, expected, actual);
            Check(new SimulationEvent.LogRecovered(recovery.TimeMs, recovery.NodeId, cut));
            return null;
        }

        /// <summary>Fills a node's disk with what a broker's disk held before it started; only before the node's first start.</summary>
        private ReplayDivergence? Preload(TraceDocument.Line line)
        {
            int nodeId = line.Entry switch
            {
                TraceEntry.Preload p => p.NodeId,
                TraceEntry.PreloadExtent p => p.NodeId,
                TraceEntry.PreloadQuorumState p => p.NodeId,
                _ => throw new TraceFormatException("not a preload"),
            };
            ReplayNode node = Node(nodeId);
            if (node.View.Node is not null || node.View.Incarnation > 0) return Diverge(line, "a disk filled before the node starts", $"n{nodeId} has started");
            MemoryLogStorage disk = node.View.Disk;
            switch (line.Entry)
            {
                case TraceEntry.Preload batches:
                    if (!disk.Apply(new NodeEffect.AppendToLog(batches.Log, batches.BaseOffset, batches.Batches)))
                        return Diverge(line, $"batches appended to {batches.Log} at {batches.BaseOffset}", $"the disk refused them (its log ends at {disk.Extent(batches.Log).EndOffset})");
                    return null;
                case TraceEntry.PreloadExtent extent:
                    disk.Apply(new NodeEffect.AdvanceLogStart(extent.Log, extent.StartOffset));
                    if (disk.FlushTo(extent.Log, extent.DurableEndOffset) != extent.DurableEndOffset)
                        return Diverge(line, $"{extent.Log} durable up to {extent.DurableEndOffset}", $"durable up to {disk.Extent(extent.Log).DurableEndOffset}");
                    return null;
                case TraceEntry.PreloadQuorumState state:
                    if (!Protocol.Messages.MessageBytes.TryDecode(state.State, MemoryLogStorage.QuorumStateFileVersion, out Protocol.Messages.QuorumStateData? data, out string? error))
                        throw new TraceFormatException($"the preloaded quorum state does not read: {error}");
                    disk.Apply(new NodeEffect.PersistQuorumState(data!));
                    return null;
                default:
                    throw new TraceFormatException("not a preload");
            }
        }

        private ReplayDivergence? ReplayInput(TraceDocument.Line line, TraceEntry.Input input, TraceEntry? next)
        {
            ReplayNode node = Node(input.NodeId);
            if (input.What is TraceInput.Started started)
            {
                ReplayDivergence? restart = Restart(line, node, started);
                if (restart is not null) return restart;
            }
            INode core = node.View.Node ?? throw new TraceFormatException($"an input for n{input.NodeId}, which is down");
            // The simulator makes a flush durable just before it says so; so does replay.
            if (input.What is TraceInput.Flushed flushed && node.View.Disk.FlushTo(flushed.Log, flushed.DurableEndOffset) != flushed.DurableEndOffset)
                return Diverge(line, $"the disk durable up to {flushed.DurableEndOffset}", $"durable up to {node.View.Disk.Extent(flushed.Log).DurableEndOffset}");
            NodeInput nodeInput = input.What.ToNodeInput(input.TimeMs);
            IReadOnlyList<NodeEffect> effects;
            Exception? thrown = null;
            try
            {
                effects = core.Handle(nodeInput) ?? throw new InvalidOperationException("Handle returned null instead of a list of effects");
            }
            catch (Exception error)
            {
                thrown = error;
                effects = [];
            }
            List<string> actual = thrown is null ? effects.Select(EffectFormat.Render).ToList() : [EffectFormat.RenderThrow(thrown)];
            if (Compare(line, input.Effects, actual) is { } divergence) return divergence;
            if (thrown is not null and not LogCorruptionException)
            {
                _outcome = SimulationOutcome.Violation(SimulatorViolations.NodeThrew,
                    SimulatorViolations.NodeThrewMessage(input.NodeId, thrown, nodeInput));
                return null;
            }
            int? cutAfter = next is TraceEntry.Crash crash && crash.NodeId == input.NodeId ? crash.AfterEffects : null;
            bool cutShort = cutAfter is not null;
            int carriedOut = cutAfter ?? effects.Count;
            for (int i = 0; i < carriedOut && _outcome.IsOk; i++) ApplyToDisk(node, effects[i], input.TimeMs);
            // As in the simulator (SimulatedCluster.Deliver, HandleThrow): a step a crash cut short, or one whose
            // disk failed a read, is never shown to the monitors with the node still running; they look next at
            // the crash line. Looking here would judge a node whose memory ran ahead of the effects carried out.
            if (_outcome.IsOk && !cutShort && thrown is null) Check(new SimulationEvent.InputDelivered(input.TimeMs, input.NodeId, nodeInput, effects));
            return null;
        }

        private ReplayDivergence? Restart(TraceDocument.Line line, ReplayNode node, TraceInput.Started started)
        {
            if (started.EmptyDisk) node.View.Disk = SimulatedFormat.Disk(node.View.Config, started.Incarnation);
            else node.PendingCuts ??= new Queue<RecoveryCut>(node.View.Disk.Recover());
            if (node.PendingCuts is { Count: > 0 } extra && !started.EmptyDisk)
            {
                RecoveryCut cut = extra.Peek();
                return Diverge(line, "no further recovery cut", $"recovered log={cut.Log} end={cut.EndOffset} reason={cut.Reason}");
            }
            node.PendingCuts = null;
            node.View.Node = _owner.CreateNode(node.View, _streams.ForNode(node.View.NodeId, started.Incarnation));
            node.View.Incarnation = started.Incarnation;
            return null;
        }

        private void ApplyToDisk(ReplayNode node, NodeEffect effect, long nowMs)
        {
            if (effect is NodeEffect.SendRequest or NodeEffect.Respond or NodeEffect.FlushLog or NodeEffect.WakeAt or NodeEffect.CloseConnection) return;
            node.View.Disk.NowMs = nowMs;
            if (!node.View.Disk.Apply(effect))
                _outcome = SimulationOutcome.Violation(SimulatorViolations.DiskContract, SimulatorViolations.AppendRefusedMessage(node.View.NodeId, (NodeEffect.AppendToLog)effect, node.View.Disk));
        }

        private ReplayDivergence? Compare(TraceDocument.Line line, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
        {
            for (int i = 0; i < Math.Max(expected.Count, actual.Count); i++)
            {
                string wanted = i < expected.Count ? expected[i] : "(no further effect)";
                string got = i < actual.Count ? actual[i] : "(no further effect)";
                if (wanted != got) return new ReplayDivergence(line.LineNumber, line.Entry.TimeMs, Describe(line.Entry), i, wanted, got);
            }
            return null;
        }

        private void Check(SimulationEvent simulationEvent)
        {
            _view.LastEvent = simulationEvent;
            foreach (IMonitor monitor in _owner._monitors)
            {
                if (!_outcome.IsOk) return;
                MonitorViolation? violation;
                try
                {
                    violation = monitor.Check(_view);
                }
                catch (Exception error)
                {
                    violation = new MonitorViolation($"the monitor threw {error.GetType().Name}: {error.Message}");
                }
                if (violation is not null) _outcome = SimulationOutcome.Violation(monitor.Name, violation.Message.ReplaceLineEndings(" "));
            }
        }

        private static ReplayDivergence Diverge(TraceDocument.Line line, string expected, string actual) =>
            new(line.LineNumber, line.Entry.TimeMs, Describe(line.Entry), -1, expected, actual);

        private static string Describe(TraceEntry entry)
        {
            string first = entry.FormatLines().First();
            int space = first.IndexOf(' ');
            string text = space < 0 ? first : first[(space + 1)..];
            int frame = text.IndexOf(" frame=", StringComparison.Ordinal);
            return frame < 0 ? text : text[..frame];
        }
    }

    private INode CreateNode(NodeView view, IDeterministicRandom random) =>
        implementation.Create(view.Config, view.Disk, view.Disk.QuorumState, random);
}
