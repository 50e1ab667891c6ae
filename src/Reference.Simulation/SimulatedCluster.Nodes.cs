using Reference.Core;
using Reference.Core.Node;
using Reference.Simulation.Cluster;
using Reference.Simulation.Monitors;
using Reference.Simulation.Network;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Storage;
using Reference.Simulation.Traces;

namespace Reference.Simulation;

/// <summary>Processes: starting a node over its disk, delivering an input, carrying out its effects, crashing it.</summary>
public sealed partial class SimulatedCluster
{
    /// <summary>The node with the id; asked for every pending event at every explored step, so the throw is kept out of line (it would stop inlining).</summary>
    private SimulatedNode NodeById(int nodeId) => (uint)(nodeId - 1) < (uint)_nodes.Count ? _nodes[nodeId - 1] : NoSuchNode(nodeId);

    private static SimulatedNode NoSuchNode(int nodeId) => throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, "no such node");

    private bool IsCurrent(SimulatedNode node, int incarnation) => node.IsRunning && node.View.Incarnation == incarnation;

    /// <summary>
    /// (Re)starts a node: a replaced disk, or recovery of the old one (each cut an event), then a fresh core
    /// from the factory over that disk and its quorum state, then <see cref="NodeInput.Started"/>.
    /// </summary>
    private void StartNode(AgendaEvent.NodeStart start)
    {
        SimulatedNode node = NodeById(start.NodeId);
        if (node.IsRunning || start.Incarnation != node.View.Incarnation + 1) return;
        node.RestartScheduled = false;
        if (start.EmptyDisk)
        {
            node.View.Disk = SimulatedFormat.Disk(node.View.Config, start.Incarnation);
            _coverage.Reached(CoverageGoals.RestartEmptyDisk);
            if (node.View.IsVoter) _coverage.Reached(CoverageGoals.VoterDiskReplaced);
        }
        else
        {
            foreach (RecoveryCut cut in node.View.Disk.Recover())
            {
                _coverage.Reached(CoverageGoals.RecoveryCut);
                Record(new TraceEntry.Recovery(_nowMs, node.Id, cut.Log, cut.EndOffset, cut.Reason), new SimulationEvent.LogRecovered(_nowMs, node.Id, cut));
                CheckMonitors();
                if (!_outcome.IsOk) return;
            }
        }
        if (start.Incarnation > 1) _coverage.Reached(CoverageGoals.NodeRestarted);
        try
        {
            node.View.Node = _implementation.Create(node.View.Config, node.View.Disk, node.View.Disk.QuorumState,
                _streams.ForNode(node.Id, start.Incarnation));
        }
        catch (Exception error) when (error is not EventQueueFullException)
        {
            Violate(SimulatorViolations.NodeThrew, $"n{node.Id}'s factory threw {error.GetType().Name}: {error.Message}");
            return;
        }
        node.View.Incarnation = start.Incarnation;
        Deliver(node, new TraceInput.Started(start.Incarnation, start.EmptyDisk));
    }

    /// <summary>
    /// One step: the input (built from its trace form, as replay builds it), the node's effects, carried out
    /// in order, then the monitors. A node that throws is a finding, except when its disk failed a read: the
    /// disk never serves a bad batch, and the node goes down as a broker whose log directory failed would.
    /// </summary>
    private void Deliver(SimulatedNode node, TraceInput what)
    {
        INode core = node.View.Node ?? throw new InvalidOperationException($"an input for n{node.Id}, which is down");
        NodeInput input;
        try
        {
            input = what.ToNodeInput(_nowMs);
        }
        catch (WireCodecException error)
        {
            Violate(SimulatorViolations.WireCodec, $"for n{node.Id}: {error.Message}");
            return;
        }
        _inputsDelivered++;
        IReadOnlyList<NodeEffect> effects;
        try
        {
            effects = core.Handle(input) ?? throw new InvalidOperationException("Handle returned null instead of a list of effects");
        }
        catch (Exception error) when (error is not EventQueueFullException)
        {
            HandleThrow(node, what, input, error);
            return;
        }
        // Read as an array (what the core returns): an interface call per effect is measurable at every step.
        NodeEffect[] carried = effects as NodeEffect[] ?? [.. effects];
        int carriedOutMax = carried.Length;
        PendingStepCrash? crash = node.CrashDuringNextStep;
        if (crash is not null)
        {
            node.CrashDuringNextStep = null;
            carriedOutMax = Math.Min(crash.AfterEffects ?? DrawCutPoint(carried.Length), carried.Length);
        }
        Record(new TraceEntry.Input(_nowMs, node.Id, what, _trace is null ? [] : carried.Select(EffectFormat.Render).ToList()),
            new SimulationEvent.InputDelivered(_nowMs, node.Id, input, carried));
        for (int i = 0; i < carriedOutMax && _outcome.IsOk; i++) CarryOut(node, carried[i]);
        if (!_outcome.IsOk) return;
        if (crash is null)
        {
            CheckMonitors();
            return;
        }
        // A step cut short is not a state anyone can observe: the node is down before it could answer
        // anything further. The monitors look once the crash is recorded (Crash checks them), never at the
        // half-carried-out step with the node still counted as running.
        _coverage.Reached(CoverageGoals.CrashMidStep);
        Crash(node, "crash while carrying out a step", carriedOutMax, crash.RestartAfterMs, crash.EmptyDiskOnRestart, torn: null);
    }

    private int DrawCutPoint(int effectCount) => effectCount == 0 ? 0 : _faultRandoms[DrawnFault.Crash].Next(effectCount);

    private void HandleThrow(SimulatedNode node, TraceInput what, NodeInput input, Exception error)
    {
        Record(new TraceEntry.Input(_nowMs, node.Id, what, [EffectFormat.RenderThrow(error)]),
            new SimulationEvent.InputDelivered(_nowMs, node.Id, input, []));
        if (error is not LogCorruptionException corruption)
        {
            Violate(SimulatorViolations.NodeThrew, SimulatorViolations.NodeThrewMessage(node.Id, error, input));
            return;
        }
        _coverage.Reached(CoverageGoals.CorruptionDetectedOnRead);
        Crash(node, $"its disk failed a read of {corruption.Log} at {corruption.BatchBaseOffset}", null, DrawRestartDelayMs(), emptyDisk: false, torn: null);
    }

    private void CarryOut(SimulatedNode node, NodeEffect effect)
    {
        switch (effect)
        {
            case NodeEffect.SendRequest send: SendFromNode(node, send); break;
            case NodeEffect.Respond respond: Respond(node, respond); break;
            case NodeEffect.FlushLog flush: ScheduleFlush(node, flush.Log); break;
            case NodeEffect.WakeAt wake: ScheduleWake(node, wake.AtMs); break;
            case NodeEffect.CloseConnection close: CloseAtServer(node, close.Connection); break;
            default: ApplyToDisk(node, effect); break;
        }
    }

    private void ApplyToDisk(SimulatedNode node, NodeEffect effect)
    {
        MemoryLogStorage disk = node.View.Disk;
        disk.NowMs = _nowMs;
        if (disk.Apply(effect)) return;
        Violate(SimulatorViolations.DiskContract, SimulatorViolations.AppendRefusedMessage(node.Id, (NodeEffect.AppendToLog)effect, disk));
    }

    /// <summary>An fsync: durable up to the log's end as it is now, after the disk's latency and any fsync queued before it.</summary>
    private void ScheduleFlush(SimulatedNode node, TopicPartition log)
    {
        long targetOffset = node.View.Disk.Extent(log).EndOffset;
        long latencyMs = (long)(node.DiskRandom.NextUInt64() % (ulong)(2 * _knobs.FlushLatencyMs + 1));
        long doneMs = Math.Max(_nowMs, node.DiskBusyUntilMs) + latencyMs;
        node.DiskBusyUntilMs = doneMs;
        _agenda.Schedule(doneMs, _nowMs, new AgendaEvent.FlushCompletes(node.Id, node.View.Incarnation, log, targetOffset));
    }

    private void CompleteFlush(AgendaEvent.FlushCompletes flush)
    {
        SimulatedNode node = NodeById(flush.NodeId);
        if (!IsCurrent(node, flush.Incarnation)) return;
        long durableEndOffset = node.View.Disk.FlushTo(flush.Log, flush.TargetOffset);
        if (durableEndOffset > node.View.Disk.Extent(flush.Log).EndOffset)
            throw new InvalidOperationException($"n{node.Id}'s {flush.Log} durable past its end");
        Deliver(node, new TraceInput.Flushed(flush.Log, durableEndOffset));
    }

    private void ScheduleWake(SimulatedNode node, long atMs)
    {
        long dueMs = Math.Max(atMs, _nowMs);
        if (!node.WakeTimes.Add(dueMs)) return;
        if (node.WakeTimes.Count > SimulatedNode.WakeTimesMax)
        {
            Violate(SimulatorViolations.Bound, $"n{node.Id} has more than {SimulatedNode.WakeTimesMax} wake-up times pending");
            return;
        }
        _agenda.Schedule(dueMs, _nowMs, new AgendaEvent.NodeWake(node.Id, node.View.Incarnation, dueMs));
    }

    /// <summary>Delivers a wake-up unless an earlier one already covered it; every time asked for up to now is then satisfied.</summary>
    private void Wake(AgendaEvent.NodeWake wake)
    {
        SimulatedNode node = NodeById(wake.NodeId);
        if (!IsCurrent(node, wake.Incarnation) || !node.WakeTimes.Contains(wake.AtMs)) return;
        // Earlier times than this one are satisfied too: their wake-ups, still pending, are stale now.
        if (node.WakeTimes.RemoveUpTo(wake.AtMs) > 1) _wakesMayBeStale = true;
        Deliver(node, new TraceInput.TimeAdvanced());
    }

    /// <summary>
    /// A power cut. The disk keeps its durable prefix and perhaps a torn part of each unflushed tail; the
    /// node's timers, fsyncs and connections die with it. Messages it already sent stay on the wire (the
    /// kernel had them), followed by the close of each connection it had opened; messages on their way to it
    /// are dropped when they arrive, and its peers learn of it only by their requests timing out.
    /// </summary>
    private void Crash(SimulatedNode node, string cause, int? afterEffects, long? restartAfterMs, bool emptyDisk, IReadOnlyList<TornWrite>? torn)
    {
        if (!node.IsRunning) return;
        IReadOnlyList<TornWrite> tornWrites = torn ?? DrawTornWrites(node);
        if (tornWrites.Count > 0) _coverage.Reached(CoverageGoals.TornWrite);
        var durableBefore = node.View.Disk.Logs.Select(log => (Log: log, Offset: node.View.Disk.Extent(log).DurableEndOffset)).ToList();
        node.View.Disk.Crash(tornWrites);
        // A crash never takes what was durable (torn bytes come after it; recovery may cut them at restart).
        foreach ((TopicPartition log, long offset) in durableBefore)
            if (node.View.Disk.Extent(log).EndOffset < offset) throw new InvalidOperationException($"a crash took durable data of n{node.Id}'s {log}");
        node.View.Node = null;
        node.WakeTimes.Clear();
        _wakesMayBeStale = true;
        node.CrashDuringNextStep = null;
        node.DiskBusyUntilMs = _nowMs;
        foreach (Connection connection in node.PeerConnections.Values) AbandonAtClient(connection);
        node.PeerConnections.Clear();
        foreach (Connection connection in _serverConnections.Values.Where(c => c.ServerNodeId == node.Id).ToList()) ForgetAtServer(connection);
        _crashes++;
        _coverage.Reached(CoverageGoals.NodeCrashed);
        Record(new TraceEntry.Crash(_nowMs, node.Id, afterEffects, tornWrites, cause), new SimulationEvent.NodeCrashed(_nowMs, node.Id, cause));
        CheckMonitors();
        if (restartAfterMs is not long delayMs) return;
        node.RestartScheduled = true;
        _agenda.Schedule(_nowMs + delayMs, _nowMs, new AgendaEvent.NodeStart(node.Id, node.View.Incarnation + 1, emptyDisk));
    }

    /// <summary>For each log with an unflushed tail, whether some of it reached the platter, and how much (drawn for every such log, torn or not).</summary>
    private List<TornWrite> DrawTornWrites(SimulatedNode node)
    {
        var torn = new List<TornWrite>();
        foreach (TopicPartition log in node.View.Disk.Logs)
        {
            int unflushedBytes = node.View.Disk.UnflushedBytes(log);
            if (unflushedBytes == 0) continue;
            bool tears = _knobs.TornWrite.Happens(node.DiskRandom);
            int keptBytes = 1 + node.DiskRandom.Next(unflushedBytes);
            // All of it may survive too: data the node never heard was durable is then on the disk after restart.
            if (tears) torn.Add(new TornWrite(log, keptBytes));
        }
        return torn;
    }
}
