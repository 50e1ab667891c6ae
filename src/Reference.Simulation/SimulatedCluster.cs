using System.Reflection;
using Reference.Core.Node;
using Reference.Simulation.Cluster;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Network;
using Reference.Simulation.Randomness;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Storage;
using Reference.Simulation.Traces;
using Reference.Simulation.Workload;

namespace Reference.Simulation;

/// <summary>
/// A whole cluster in one thread: nodes built from a <see cref="NodeImplementation"/>, a virtual clock, an
/// agenda of events ordered by (time, sequence), a network and disks that misbehave as the seed's fault
/// knobs say, workload clients, and monitors checked after every event. One seed, one run: the same seed
/// and options give the same events in the same order and, with a trace, the same bytes.
/// <para>
/// Each event delivers at most one input to one node, whose effects are carried out in order before the
/// next event (Reference.Core's README): storage effects on the node's <see cref="Storage.MemoryLogStorage"/>,
/// the quorum state durable at once, a flush answered by <see cref="NodeInput.LogFlushed"/> after the disk's
/// latency, requests and responses over <see cref="SimulatedNetwork"/>, wake-ups as
/// <see cref="NodeInput.TimeAdvanced"/>. Nothing here reads a clock, starts a thread or enumerates a hash
/// order into the run.
/// </para>
/// </summary>
public sealed partial class SimulatedCluster
{
    /// <summary>The name traces give the core's real Node (a broker's recorded trace too).</summary>
    public const string RealNodeName = "Reference.Core.Node";

    /// <summary>
    /// The node implementation `kraft sim` and `kraft replay` run: the core's real Node, the same class the
    /// broker runs. Tests may swap in toy nodes for the simulator's own tests.
    /// </summary>
    public static NodeImplementation? DefaultNode { get; set; } =
        new(RealNodeName, (config, storage, quorumState, random) => new Core.Node.Node(config, storage, quorumState, random));

    /// <summary>The monitors `kraft sim` and `kraft replay` check, fresh for each run (spec/ adds its invariants here).</summary>
    public static Func<IReadOnlyList<IMonitor>> DefaultMonitors { get; set; } = () => [];

    /// <summary>
    /// The workload `kraft sim` runs, fresh for each run; null for none. "all": metadata proposals and the data
    /// clients together, so every seed exercises the controller and the data plane at once.
    /// </summary>
    public static Func<IWorkload?> DefaultWorkload { get; set; } = () => Workloads.Create(Workloads.All);

    /// <summary>Agenda events taken per recorded event at most: more means stale or idle events are churning.</summary>
    private const long AgendaEventsPerEventMax = 64;

    private readonly SimulationOptions _options;
    private readonly NodeImplementation _implementation;
    private readonly IReadOnlyList<IMonitor> _monitors;
    /// <summary><see cref="_monitors"/> as classes, for <see cref="CheckMonitors"/>'s virtual call (<see cref="SafetyMonitor"/> says why).</summary>
    private readonly SafetyMonitor[] _checks;
    private readonly IWorkload? _workload;
    private readonly TraceWriter? _trace;
    private readonly RandomStreams _streams;
    private readonly FaultKnobs _knobs;
    private readonly SimulatedNetwork _network;
    private readonly EventQueue<AgendaEvent> _agenda;
    private readonly List<SimulatedNode> _nodes = [];
    private readonly ClusterView _view;
    private readonly History _history = new();
    private readonly Coverage _coverage = new();
    private SimulationOutcome _outcome = SimulationOutcome.Ok;
    private long _nowMs;
    private long _events;
    private long _agendaEvents;
    private long _inputsDelivered;
    private long _monitorChecks;
    private int _crashes;
    private bool _ran;

    public SimulatedCluster(SimulationOptions options, NodeImplementation implementation, IReadOnlyList<IMonitor>? monitors = null,
        IWorkload? workload = null, TraceWriter? trace = null, ExplorationControl? exploration = null)
    {
        options.Validate();
        if (exploration is not null && (options.Faults.ToString() != FaultSpec.None.ToString() || options.ScheduledFaults.Count > 0))
            throw new ArgumentException("an explored run injects its faults as choices: no drawn or scripted faults", nameof(options));
        _control = exploration;
        _options = options;
        _implementation = implementation;
        _monitors = monitors ?? [];
        _checks = SafetyMonitor.ForChecks(_monitors);
        _workload = workload;
        _trace = trace;
        _streams = new RandomStreams(options.Seed);
        _knobs = FaultKnobs.Draw(options.Faults, _streams);
        _network = new SimulatedNetwork(_knobs, _streams);
        _agenda = new EventQueue<AgendaEvent>(options.QueuedEventsMax, choosable: exploration is not null);
        _faultRandoms = Enum.GetValues<DrawnFault>().ToDictionary(kind => kind, kind => _streams.Stream($"faults/{kind}"));
        foreach (NodeConfig config in BuildConfigs(options))
            _nodes.Add(new SimulatedNode(new NodeView(config, config.Voters.Any(v => v.NodeId == config.NodeId)) { Disk = SimulatedFormat.Disk(config, 1) }, _streams.Stream($"disk/n{config.NodeId}")));
        _workloadContext = new WorkloadContext(this);
        _view = new ClusterView(_nodes.Select(n => n.View).ToList(), _history, _coverage) { LinkUp = (from, to) => from == to || !_network.IsBlocked(from, to) };
    }

    /// <summary>The fault knobs this seed drew.</summary>
    public FaultKnobs Faults => _knobs;

    /// <summary>The cluster as monitors see it (also after the run).</summary>
    public ClusterView View => _view;

    /// <summary>Runs until the duration, the event bound, a violation or nothing left to do; once per instance.</summary>
    public SimulationResult Run()
    {
        if (_ran) throw new InvalidOperationException("a simulated cluster runs once; build another for another run");
        _ran = true;
        _trace?.WriteHeader(Header());
        DeclareCoverage();
        StopReason stop;
        try
        {
            Begin();
            stop = _control is null ? Loop() : Explore(_control);
        }
        catch (EventQueueFullException full)
        {
            Violate(SimulatorViolations.Bound, full.Message);
            stop = StopReason.Violation;
        }
        if (!_outcome.IsOk) stop = StopReason.Violation;
        _trace?.WriteEnd(new TraceEnd(_nowMs, _events, stop, _outcome));
        return Result(stop);
    }

    private void Begin()
    {
        if (_workload is not null)
        {
            _workload.Start(_workloadContext);
            CommitHistory();
        }
        SplitMix64Random startup = _streams.Stream("startup");
        foreach (SimulatedNode node in _nodes)
            _agenda.Schedule(startup.Next((int)_options.StartupSpreadMs + 1), _nowMs, new AgendaEvent.NodeStart(node.Id, 1, EmptyDisk: false));
        foreach (DrawnFault kind in Enum.GetValues<DrawnFault>()) ScheduleNextFault(kind);
        foreach (ScheduledFault scripted in _options.ScheduledFaults.OrderBy(f => f.AtMs))
            _agenda.Schedule(scripted.AtMs, _nowMs, new AgendaEvent.Scripted(scripted.Fault));
    }

    private StopReason Loop()
    {
        while (_outcome.IsOk)
        {
            if (_events >= _options.EventsMax) return StopReason.EventLimit;
            if (!_agenda.TryPeekTime(out long nextMs)) return StopReason.Idle;
            if (nextMs > _options.DurationMs)
            {
                _nowMs = _view.NowMs = _options.DurationMs;
                return StopReason.DurationReached;
            }
            _agenda.TryTake(out AgendaEvent next, out EventKey key);
            if (++_agendaEvents > (_events + 1) * AgendaEventsPerEventMax + 1_000_000)
            {
                Violate(SimulatorViolations.Bound, $"{_agendaEvents} agenda events for {_events} recorded ones: something reschedules without doing anything");
                return StopReason.Violation;
            }
            if (key.TimeMs < _nowMs) throw new InvalidOperationException($"virtual time ran backwards from {_nowMs} to {key.TimeMs} ms");
            _nowMs = _view.NowMs = key.TimeMs;
            Dispatch(next);
        }
        return StopReason.Violation;
    }

    private void Dispatch(AgendaEvent next)
    {
        switch (next)
        {
            case AgendaEvent.NodeStart start: StartNode(start); break;
            case AgendaEvent.NodeWake wake: Wake(wake); break;
            case AgendaEvent.FlushCompletes flush: CompleteFlush(flush); break;
            case AgendaEvent.RequestArrives arrival: ArriveAtServer(arrival); break;
            case AgendaEvent.ServeNext serve: ServeNext(serve.Connection); break;
            case AgendaEvent.ResponseArrives response: ArriveAtClient(response); break;
            case AgendaEvent.RequestDeadline deadline: ExpireRequest(deadline); break;
            case AgendaEvent.RequestFails failure: FailAtClient(failure); break;
            case AgendaEvent.ServerSeesClose close: SeeCloseAtServer(close.Connection); break;
            case AgendaEvent.ClientSeesReset reset: SeeResetAtClient(reset.Connection); break;
            case AgendaEvent.FaultDue due: InjectDrawnFault(due.Kind); break;
            case AgendaEvent.HealLinks heal: HealLinks(heal); break;
            case AgendaEvent.Scripted scripted: InjectScriptedFault(scripted.Fault); break;
            case AgendaEvent.WorkloadWake wake: WakeWorkload(wake.AtMs); break;
            default: throw new InvalidOperationException($"unknown agenda event {next.GetType().Name}");
        }
    }

    /// <summary>Counts an event and writes it to the trace; the caller checks the monitors once the event is complete.</summary>
    private void Record(TraceEntry entry, SimulationEvent simulationEvent)
    {
        _events++;
        _trace?.Write(entry);
        _view.LastEvent = simulationEvent;
    }

    private void CheckMonitors()
    {
        for (int i = 0; i < _checks.Length; i++)
        {
            SafetyMonitor monitor = _checks[i];
            if (!_outcome.IsOk) return;
            _monitorChecks++;
            MonitorViolation? violation;
            try
            {
                violation = monitor.Check(_view);
            }
            catch (Exception error) when (error is not EventQueueFullException)
            {
                violation = new MonitorViolation($"the monitor threw {error.GetType().Name}: {error.Message}");
            }
            if (violation is not null) Violate(monitor.Name, violation.Message);
        }
    }

    private void Violate(string name, string message)
    {
        if (_outcome.IsOk) _outcome = SimulationOutcome.Violation(name, message.ReplaceLineEndings(" "));
    }

    private void DeclareCoverage()
    {
        foreach (IMonitor monitor in _monitors)
            foreach (string goal in monitor.SometimesGoals) _coverage.Declare(goal);
        if (_knobs.CrashIntervalMs > 0) _coverage.Declare(CoverageGoals.NodeCrashed);
        if (_knobs.CrashIntervalMs > 0 && _knobs.CrashMidStep.Ppm > 0) _coverage.Declare(CoverageGoals.CrashMidStep);
        if (_knobs.CrashIntervalMs > 0 && _knobs.TornWrite.Ppm > 0) _coverage.Declare(CoverageGoals.TornWrite);
        if (_knobs.CrashIntervalMs > 0 && _knobs.RestartEmpty.Ppm > 0 && _nodes.Any(MayRestartEmpty)) _coverage.Declare(CoverageGoals.RestartEmptyDisk);
        if (_knobs.CrashIntervalMs > 0 && _knobs.RestartEmpty.Ppm > 0 && _nodes.Any(n => n.View.IsVoter && MayRestartEmpty(n)))
            _coverage.Declare(CoverageGoals.VoterDiskReplaced);
        if (_knobs.CorruptIntervalMs > 0 && HasDataLossEligibleNode()) _coverage.Declare(CoverageGoals.SectorCorrupted);
        if (_knobs.Loss.Ppm > 0) _coverage.Declare(CoverageGoals.MessageLost);
        if (_knobs.Duplicate.Ppm > 0) _coverage.Declare(CoverageGoals.MessageDuplicated);
        if (_knobs.Reorder.Ppm > 0) _coverage.Declare(CoverageGoals.MessageReordered);
        if (_knobs.PartitionIntervalMs > 0) _coverage.Declare(CoverageGoals.Partition);
        if (_knobs.PartitionIntervalMs > 0 && _knobs.PartitionOneWay.Ppm > 0) _coverage.Declare(CoverageGoals.OneWayPartition);
        if (_knobs.ClogIntervalMs > 0) _coverage.Declare(CoverageGoals.LinkClogged);
    }

    private TraceHeader Header() => new()
    {
        Build = BuildVersion,
        Seed = _options.Seed,
        ClusterId = _options.ClusterId,
        NodeImplementation = _implementation.Name,
        Nodes = _nodes.Select(n => new TraceNode(n.Id, n.View.IsVoter, NodeConfigDigest.Of(n.View.Config))).ToList(),
        Bugs = _options.Bugs,
        MetadataMaxIdleIntervalMs = _options.MetadataMaxIdleIntervalMs,
        FaultSpec = _options.Faults.ToString(),
        FaultKnobs = _knobs.ToString(),
        Workload = _workload?.Name ?? "none",
        DurationMs = _options.DurationMs,
        EventsMax = _options.EventsMax,
        Monitors = _monitors.Select(m => m.Name).ToList(),
    };

    private SimulationResult Result(StopReason stop) => new()
    {
        Seed = _options.Seed,
        Outcome = _outcome,
        Stop = stop,
        VirtualTimeMs = _nowMs,
        Events = _events,
        InputsDelivered = _inputsDelivered,
        MonitorChecks = _monitorChecks,
        Monitors = _monitors.Count,
        Coverage = _coverage.Report(),
        Faults = _knobs,
        MessagesSent = _network.MessagesSent,
        MessagesLost = _network.MessagesLost,
        Crashes = _crashes,
        HistoryEntries = _history.Count,
        ExplorationSteps = _explorationSteps,
        FairSuffixCompleted = _fairSuffixCompleted,
    };

    /// <summary>The build that runs, as traces record it: the assembly's informational version (with the git commit when the SDK knows it).</summary>
    public static string BuildVersion { get; } =
        typeof(SimulatedCluster).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// The nodes' configurations: voters 1..V as combined broker and controller, observers after them as
    /// brokers only, each advertising host nN. __consumer_offsets is replicated at most as many times as
    /// there are nodes (Kafka's default of 3 cannot be met by a smaller cluster).
    /// </summary>
    public static IReadOnlyList<NodeConfig> BuildConfigs(SimulationOptions options)
    {
        // Each voter is named by its node id and its first disk's directory id (KIP-853's replica key).
        var voters = Enumerable.Range(1, options.Voters).Select(id => new VoterAddress(id, $"n{id}", 9093, SimulatedFormat.FirstDirectoryId(id))).ToList();
        return Enumerable.Range(1, options.NodeCount).Select(id =>
        {
            var config = new NodeConfig
            {
                NodeId = id,
                ClusterId = options.ClusterId,
                IsBroker = true,
                IsController = id <= options.Voters,
                Voters = voters,
                AdvertisedBrokerEndpoints = [new Endpoint("PLAINTEXT", $"n{id}", 9092)],
                OffsetsTopicReplicationFactor = (short)Math.Min(3, options.NodeCount),
                ReintroducedBugs = options.Bugs,
            };
            if (options.MetadataMaxIdleIntervalMs is int idleMs) config = config with { MetadataMaxIdleIntervalMs = idleMs };
            return options.ConfigureNode?.Invoke(config) ?? config;
        }).ToList();
    }
}
