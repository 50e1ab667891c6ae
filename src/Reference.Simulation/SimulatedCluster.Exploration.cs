using Reference.Simulation.Cluster;
using Reference.Simulation.Monitors;
using Reference.Simulation.Network;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Storage;
using Reference.Simulation.Traces;

namespace Reference.Simulation;

/// <summary>
/// Explored runs (<see cref="ExplorationControl"/>): instead of the earliest event, a chooser takes one of
/// the enabled ones at each step. Enabled means: not stale (an event of a crashed incarnation, a wake-up an
/// earlier one covered, a message on a closed connection is dropped unseen, never offered), and first in
/// its order: the head of each connection's direction (TCP), a disk's next fsync, a node's earliest
/// wake-up, a client's earliest timeout. Faults are choices too while the budget lasts: crash a node (the
/// minority rule of <see cref="MayGoDown"/> holds), or crash it so it restarts on an empty disk (a wipe),
/// or kill its process (it keeps what it wrote), drop a message at the head of its connection.
/// </summary>
public sealed partial class SimulatedCluster
{
    private readonly ExplorationControl? _control;
    private readonly List<ScheduleChoice> _choices = [];
    /// <summary>For each choice: the index in the agenda's pending list it takes, or -node id for a crash.</summary>
    private readonly List<int> _choiceSources = [];
    /// <summary>
    /// Counts the steps whose choices were collected. An ordered group (a connection's direction, a disk's fsyncs,
    /// a node's wake-ups, ...) records the count when this step offered its head (its earliest event), so a later
    /// event of the group in the same step is known not to be one, without a set to fill and clear each step.
    /// </summary>
    private int _collections;
    /// <summary>The step that offered the workload clients' earliest wake-up (their one ordered group).</summary>
    private int _workloadHeadOffered;
    /// <summary>
    /// Set where a pending wake-up may have gone stale (<see cref="Wake"/> satisfied earlier times than its own, a
    /// node crashed); cleared once the agenda's stale events are dropped. While it is clear every pending wake-up
    /// is live (<see cref="IsStale(AgendaEvent.NodeWake, SimulatedNode)"/>).
    /// </summary>
    private bool _wakesMayBeStale;
    /// <summary>Each node's wake-up signature, by node id - 1 (<see cref="TimerSignature"/>).</summary>
    private ulong?[]? _timerSignatures;
    private ScheduleStep? _step;
    private int _crashesChosen;
    private int _wipesChosen;
    private int _killsChosen;
    private int _dropsChosen;
    private int _partitionsChosen;
    private int _isolationsChosen;
    private long _explorationSteps;
    private bool _fairSuffixCompleted;

    private StopReason Explore(ExplorationControl control)
    {
        _step ??= new ScheduleStep(_choices, _view, DigestPending);
        for (int index = 0; index < control.StepsMax; index++)
        {
            if (!_outcome.IsOk) return StopReason.Violation;
            if (_events >= _options.EventsMax) return StopReason.EventLimit;
            CollectChoices(control);
            if (_choices.Count == 0) break;
            _step.Begin(index, _nowMs);
            int pick = control.Chooser.Choose(_step);
            if (pick == ScheduleStep.EndOfPrefix) break;
            if ((uint)pick >= (uint)_choices.Count) throw new InvalidOperationException($"the chooser picked {pick} of {_choices.Count} choices");
            TakeChoice(pick);
            _explorationSteps++;
        }
        if (!_outcome.IsOk) return StopReason.Violation;
        if (control.FairSuffixMs <= 0) return StopReason.StepLimit;
        return RunFairSuffix(control);
    }

    private void CollectChoices(ExplorationControl control)
    {
        _choices.Clear();
        _choiceSources.Clear();
        _collections++;
        ReadOnlySpan<(EventKey Key, AgendaEvent Event)> pending = _agenda.Pending;
        bool mayDrop = _dropsChosen < control.DropsMax;
        // The agenda is sorted by key, so the choices come out earliest first (ties in scheduling order), and
        // the first event of an ordered group met is its head.
        for (int i = 0; i < pending.Length; i++)
        {
            (EventKey key, AgendaEvent scheduled) = pending[i];
            if (scheduled is AgendaEvent.NodeWake later && !_wakesMayBeStale && NodeById(later.NodeId).WakeHeadOffered == _collections)
            {
                // The commonest event, settled first: a node's wake-up after its head, live (no wake-up went stale
                // since the last collection), not a choice. In a random walk two of three events pending are these.
                continue;
            }
            if (IsStale(scheduled))
            {
                // A stale event would be dropped unseen when taken; it is dropped now, so it is never a choice.
                _agenda.TakeAt(i--);
                pending = _agenda.Pending;
                continue;
            }
            if (!IsHeadOfItsOrder(scheduled)) continue;
            AddEnabledEvent(Describe(scheduled, key.TimeMs), i, mayDrop);
        }
        // Every event left pending is live now, which DigestPending relies on.
        _wakesMayBeStale = false;
        AddPartitionChoices(control);
        AddIsolationChoices(control);
        bool mayCrash = _crashesChosen < control.CrashesMax, mayWipe = _wipesChosen < control.WipesMax, mayKill = _killsChosen < control.KillsMax;
        if (!mayCrash && !mayWipe && !mayKill) return;
        foreach (SimulatedNode node in _nodes)
        {
            if (!MayGoDown(node)) continue;
            if (mayCrash)
            {
                _choices.Add(new ScheduleChoice(ChoiceKind.Crash, node.Id, 0, 0, _nowMs));
                _choiceSources.Add(-node.Id);
            }
            if (mayKill)
            {
                _choices.Add(new ScheduleChoice(ChoiceKind.Kill, node.Id, 0, 0, _nowMs));
                _choiceSources.Add(-node.Id);
            }
            if (!mayWipe || !MayRestartEmpty(node)) continue;
            _choices.Add(new ScheduleChoice(ChoiceKind.Wipe, node.Id, 0, 0, _nowMs));
            _choiceSources.Add(-node.Id);
        }
    }

    /// <summary>
    /// <see cref="ScheduleStep.PendingDigest"/>: the sum of every pending event's signature (a node's wake-ups all
    /// have one). Read in a step after its collection, which left only live events pending.
    /// </summary>
    private ulong DigestPending()
    {
        ulong digest = 0;
        foreach ((EventKey key, AgendaEvent scheduled) in _agenda.Pending)
            digest += scheduled is AgendaEvent.NodeWake wake ? TimerSignature(wake) : Describe(scheduled, key.TimeMs).Signature;
        return digest;
    }

    /// <summary>Offers cutting each link a and b (a &lt; b) still up, when afterwards every node still reaches a majority of voters directly.</summary>
    private void AddPartitionChoices(ExplorationControl control)
    {
        if (_partitionsChosen >= control.PartitionsMax) return;
        for (int a = 1; a <= _nodes.Count; a++)
            for (int b = a + 1; b <= _nodes.Count; b++)
            {
                if (_network.IsBlocked(a, b) || !KeepsMajoritiesConnected(a, b)) continue;
                _choices.Add(new ScheduleChoice(ChoiceKind.Partition, b, a, 0, _nowMs));
                _choiceSources.Add(0);
            }
    }

    /// <summary>Offers isolating each node not isolated yet, while afterwards fewer than half the voters are isolated.</summary>
    private void AddIsolationChoices(ExplorationControl control)
    {
        if (_isolationsChosen >= control.IsolationsMax) return;
        int voters = 0, isolatedVoters = 0;
        foreach (SimulatedNode node in _nodes)
        {
            if (!node.View.IsVoter) continue;
            voters++;
            if (IsIsolated(node.Id)) isolatedVoters++;
        }
        foreach (SimulatedNode node in _nodes)
        {
            if (IsIsolated(node.Id) || (node.View.IsVoter && 2 * (isolatedVoters + 1) >= voters)) continue;
            _choices.Add(new ScheduleChoice(ChoiceKind.Isolate, node.Id, 0, 0, _nowMs));
            _choiceSources.Add(0);
        }
    }

    /// <summary>Whether every link between the node and the others is cut.</summary>
    private bool IsIsolated(int nodeId)
    {
        foreach (SimulatedNode other in _nodes)
            if (other.Id != nodeId && !_network.IsBlocked(nodeId, other.Id)) return false;
        return _nodes.Count > 1;
    }

    private bool KeepsMajoritiesConnected(int cutA, int cutB)
    {
        int voters = _nodes.Count(n => n.View.IsVoter);
        foreach (SimulatedNode node in _nodes)
        {
            int reached = 0;
            foreach (SimulatedNode voter in _nodes)
            {
                if (!voter.View.IsVoter) continue;
                bool cut = voter.Id != node.Id && (_network.IsBlocked(node.Id, voter.Id) || (node.Id, voter.Id) == (cutA, cutB) || (node.Id, voter.Id) == (cutB, cutA));
                if (!cut) reached++;
            }
            if (reached <= voters / 2) return false;
        }
        return true;
    }

    /// <summary>A pending event first in its order, followed by its drop when it is a message and the budget lasts.</summary>
    private void AddEnabledEvent(in ScheduleChoice description, int source, bool mayDrop)
    {
        _choices.Add(description);
        _choiceSources.Add(source);
        // A message (a request or a response arriving) may be lost instead.
        if (!mayDrop || description.Kind is not (ChoiceKind.Request or ChoiceKind.Response)) return;
        _choices.Add(description with { Kind = ChoiceKind.Drop });
        _choiceSources.Add(source);
    }

    private void TakeChoice(int pick)
    {
        ScheduleChoice choice = _choices[pick];
        int source = _choiceSources[pick];
        if (choice.Kind == ChoiceKind.Partition)
        {
            _partitionsChosen++;
            Block([(choice.FromId, choice.NodeId), (choice.NodeId, choice.FromId)], $"explorer: n{choice.FromId}<->n{choice.NodeId}", healAfterMs: null);
            return;
        }
        if (choice.Kind == ChoiceKind.Isolate)
        {
            _isolationsChosen++;
            // Only the links still up: the heal must not mend a link another fault cut for good.
            var links = new List<(int From, int To)>();
            foreach (SimulatedNode other in _nodes)
            {
                if (other.Id == choice.NodeId) continue;
                if (!_network.IsBlocked(choice.NodeId, other.Id)) links.Add((choice.NodeId, other.Id));
                if (!_network.IsBlocked(other.Id, choice.NodeId)) links.Add((other.Id, choice.NodeId));
            }
            Block(links, $"explorer: n{choice.NodeId} isolated", healAfterMs: _control!.IsolationMs);
            return;
        }
        if (choice.Kind == ChoiceKind.Crash)
        {
            _crashesChosen++;
            Crash(NodeById(-source), "explorer: power cut", null, 1 + DrawRestartDelayMs(), emptyDisk: false, torn: null);
            return;
        }
        if (choice.Kind == ChoiceKind.Kill)
        {
            _killsChosen++;
            SimulatedNode killed = NodeById(-source);
            // Every unflushed tail reaches the disk whole: the kernel writes back a killed process's page cache.
            // The trace records it as a torn write keeping all of the tail, so replay rebuilds the same disk.
            List<TornWrite> kept = killed.View.Disk.Logs.Where(log => killed.View.Disk.UnflushedBytes(log) > 0)
                .Select(log => new TornWrite(log, killed.View.Disk.UnflushedBytes(log))).ToList();
            Crash(killed, "explorer: process killed", null, 1 + DrawRestartDelayMs(), emptyDisk: false, torn: kept);
            return;
        }
        if (choice.Kind == ChoiceKind.Wipe)
        {
            _wipesChosen++;
            Crash(NodeById(-source), "explorer: power cut, disk replaced", null, 1 + DrawRestartDelayMs(), emptyDisk: true, torn: null);
            return;
        }
        (EventKey key, AgendaEvent scheduled) = _agenda.TakeAt(source);
        _nowMs = _view.NowMs = Math.Max(_nowMs, key.TimeMs);
        if (choice.Kind == ChoiceKind.Drop)
        {
            _dropsChosen++;
            _coverage.Reached(CoverageGoals.MessageLost);
            Record(new TraceEntry.Network(_nowMs, $"explorer: lost {choice}"), new SimulationEvent.FaultInjected(_nowMs, $"lost {choice}"));
            CheckMonitors();
            return;
        }
        Dispatch(scheduled);
    }

    /// <summary>
    /// The fair suffix: no faults, the earliest pending event always next (events already late are taken at
    /// the current time, in time order), so every delivery and timer is eventually taken and crashed nodes
    /// restart. Each liveness monitor is observed after every event; one hot for <see cref="ExplorationControl.HotMsMax"/>
    /// at the suffix's end is a violation.
    /// </summary>
    private StopReason RunFairSuffix(ExplorationControl control)
    {
        long suffixEndMs = _nowMs + control.FairSuffixMs;
        var hotSinceMs = new long?[control.Liveness.Count];
        ObserveLiveness(control, hotSinceMs);
        while (_outcome.IsOk && _events < _options.EventsMax)
        {
            if (!_agenda.TryPeekTime(out long nextMs) || nextMs > suffixEndMs) break;
            _agenda.TryTake(out AgendaEvent next, out EventKey key);
            _nowMs = _view.NowMs = Math.Max(_nowMs, key.TimeMs);
            Dispatch(next);
            ObserveLiveness(control, hotSinceMs);
        }
        if (!_outcome.IsOk) return StopReason.Violation;
        if (_events >= _options.EventsMax) return StopReason.EventLimit;
        _nowMs = _view.NowMs = suffixEndMs;
        _fairSuffixCompleted = true;
        for (int i = 0; i < hotSinceMs.Length; i++)
        {
            if (hotSinceMs[i] is not long sinceMs || suffixEndMs - sinceMs < control.HotMsMax) continue;
            Violate(SimulatorViolations.LivenessPrefix + control.Liveness[i].Name, $"hot since {sinceMs} ms, {suffixEndMs - sinceMs} ms into a fair schedule without faults (bound {control.HotMsMax} ms)");
            return StopReason.Violation;
        }
        return StopReason.StepLimit;
    }

    private void ObserveLiveness(ExplorationControl control, long?[] hotSinceMs)
    {
        for (int i = 0; i < hotSinceMs.Length; i++)
        {
            bool hot = control.Liveness[i].Observe(_view) == Temperature.Hot;
            if (!hot) hotSinceMs[i] = null;
            else hotSinceMs[i] ??= _nowMs;
        }
    }

    /// <summary>True when taking the event would do nothing (the checks its handler makes first).</summary>
    private bool IsStale(AgendaEvent scheduled) => scheduled switch
    {
        // The commonest first: two of three events pending are wake-ups.
        AgendaEvent.NodeWake wake => _wakesMayBeStale && IsStale(wake, NodeById(wake.NodeId)),
        AgendaEvent.NodeStart start => IsStale(start, NodeById(start.NodeId)),
        AgendaEvent.FlushCompletes flush => !IsCurrent(NodeById(flush.NodeId), flush.Incarnation),
        AgendaEvent.RequestArrives arrival => !arrival.Connection.ServerOpen || !IsCurrent(NodeById(arrival.Connection.ServerNodeId), arrival.Connection.ServerIncarnation),
        AgendaEvent.ServeNext serve => !serve.Connection.ServerOpen || !IsCurrent(NodeById(serve.Connection.ServerNodeId), serve.Connection.ServerIncarnation)
            || serve.Connection.InCore is not null || serve.Connection.Waiting.Count == 0,
        AgendaEvent.ResponseArrives response => !response.Connection.ClientOpen || !response.Connection.Outstanding.TryGetValue(response.CorrelationId, out OutstandingRequest? request)
            || request.Client is null && !IsCurrent(NodeById(response.Connection.Client.Id), response.Connection.ClientIncarnation),
        AgendaEvent.RequestDeadline deadline => !deadline.Connection.ClientOpen || !deadline.Connection.Outstanding.ContainsKey(deadline.CorrelationId),
        AgendaEvent.RequestFails failure => failure.Request.Client is null && !IsCurrent(NodeById(failure.Client.Id), failure.ClientIncarnation),
        AgendaEvent.ServerSeesClose close => !close.Connection.ServerOpen,
        AgendaEvent.ClientSeesReset reset => !reset.Connection.ClientOpen,
        AgendaEvent.WorkloadWake wake => !_workloadWakes.Contains(wake.AtMs),
        _ => false,
    };

    private static bool IsStale(AgendaEvent.NodeStart start, SimulatedNode node) => node.IsRunning || start.Incarnation != node.View.Incarnation + 1;

    /// <summary>
    /// A wake-up is stale once its node went down (a crash clears its times; a restart runs another incarnation)
    /// or a later wake-up's delivery satisfied its time, and never live again. Both mark <see cref="_wakesMayBeStale"/>,
    /// and the agenda's sweep makes this test only while it is set: at the step after one, not for the twenty-odd
    /// wake-ups pending at every step.
    /// </summary>
    private bool IsStale(AgendaEvent.NodeWake wake, SimulatedNode node) => !IsCurrent(node, wake.Incarnation) || !node.WakeTimes.Contains(wake.AtMs);

    /// <summary>
    /// Whether the event is the first of its order met this step (the agenda is read earliest first), or keeps
    /// no order with others: a connection's requests and the client's close reach the server in order, its
    /// responses and the server's reset reach the client in order, and its deadlines, one disk's fsyncs, one
    /// node's wake-ups and the workload's wake-ups each come in order.
    /// </summary>
    private bool IsHeadOfItsOrder(AgendaEvent scheduled) => scheduled switch
    {
        AgendaEvent.NodeWake wake => FirstThisStep(ref NodeById(wake.NodeId).WakeHeadOffered),
        AgendaEvent.RequestArrives arrival => FirstThisStep(ref arrival.Connection.ToServerHeadOffered),
        AgendaEvent.ServerSeesClose close => FirstThisStep(ref close.Connection.ToServerHeadOffered),
        AgendaEvent.ResponseArrives response => FirstThisStep(ref response.Connection.ToClientHeadOffered),
        AgendaEvent.ClientSeesReset reset => FirstThisStep(ref reset.Connection.ToClientHeadOffered),
        AgendaEvent.FlushCompletes flush => FirstThisStep(ref NodeById(flush.NodeId).FlushHeadOffered),
        AgendaEvent.WorkloadWake => FirstThisStep(ref _workloadHeadOffered),
        AgendaEvent.RequestDeadline deadline => FirstThisStep(ref deadline.Connection.DeadlineHeadOffered),
        _ => true,
    };

    /// <summary>A wake-up's signature (<see cref="Describe"/>'s, which names only the node), worked out once per node.</summary>
    private ulong TimerSignature(AgendaEvent.NodeWake wake)
    {
        _timerSignatures ??= new ulong?[_nodes.Count];
        return _timerSignatures[wake.NodeId - 1] ??= Describe(wake, wake.AtMs).Signature;
    }

    private bool FirstThisStep(ref int offeredAtCollection)
    {
        if (offeredAtCollection == _collections) return false;
        offeredAtCollection = _collections;
        return true;
    }

    private static int Lane(NetworkAddress address) => address.IsClient ? ScheduleChoice.ClientLaneBase + address.Id : address.Id;

    private static ScheduleChoice Describe(AgendaEvent scheduled, long timeMs) => scheduled switch
    {
        AgendaEvent.NodeStart start => new(ChoiceKind.Start, start.NodeId, 0, 0, timeMs),
        AgendaEvent.NodeWake wake => new(ChoiceKind.Timer, wake.NodeId, 0, 0, timeMs),
        AgendaEvent.FlushCompletes flush => new(ChoiceKind.Flush, flush.NodeId, 0, 0, timeMs),
        AgendaEvent.RequestArrives arrival => new(ChoiceKind.Request, arrival.Connection.ServerNodeId, Lane(arrival.Connection.Client), (short)arrival.Request.ApiKey, timeMs),
        AgendaEvent.ServeNext serve => new(ChoiceKind.ServeNext, serve.Connection.ServerNodeId, Lane(serve.Connection.Client), 0, timeMs),
        AgendaEvent.ResponseArrives response => new(ChoiceKind.Response, Lane(response.Connection.Client), response.Connection.ServerNodeId,
            response.Connection.Outstanding.TryGetValue(response.CorrelationId, out OutstandingRequest? request) ? (short)request.ApiKey : (short)-1, timeMs),
        AgendaEvent.RequestDeadline deadline => new(ChoiceKind.Deadline, Lane(deadline.Connection.Client), deadline.Connection.ServerNodeId, 0, timeMs),
        AgendaEvent.RequestFails failure => new(ChoiceKind.RequestFailure, Lane(failure.Client), failure.ServerNodeId, (short)failure.Request.ApiKey, timeMs),
        AgendaEvent.ServerSeesClose close => new(ChoiceKind.Close, close.Connection.ServerNodeId, Lane(close.Connection.Client), 0, timeMs),
        AgendaEvent.ClientSeesReset reset => new(ChoiceKind.Close, Lane(reset.Connection.Client), reset.Connection.ServerNodeId, 0, timeMs),
        AgendaEvent.WorkloadWake => new(ChoiceKind.Workload, ScheduleChoice.ClientLaneBase, 0, 0, timeMs),
        AgendaEvent.HealLinks heal => new(ChoiceKind.Heal, heal.Links.Count > 0 ? heal.Links[0].From : 0, 0, 0, timeMs),
        _ => throw new InvalidOperationException($"{scheduled.GetType().Name} cannot be explored: drawn and scripted faults are the explorer's own choices"),
    };
}
