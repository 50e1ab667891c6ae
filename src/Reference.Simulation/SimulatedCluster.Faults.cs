using Reference.Core;
using Reference.Core.Node;
using Reference.Simulation.Cluster;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Simulation.Traces;

namespace Reference.Simulation;

/// <summary>
/// Faults: each kind the profile enables comes at intervals drawn around its knob's mean, from its own
/// stream; scripted faults come when the options say. Every fault that changes what a monitor or replay
/// can see is an event in the trace. Data-losing faults (an empty disk, a rotted sector) hit only nodes
/// allowed to lose data: observers, and voters only with <see cref="FaultKnob.VoterDataLoss"/>, because
/// Raft's safety assumes a voter keeps what it acknowledged (the VOPR's fault atlas keeps a good copy for
/// the same reason). The one exception is a voter's empty disk when its voter entry names a directory id:
/// the node then sees that its storage is not the voter's and must stop voting (KIP-853), which is what
/// such runs test; a voter on a replaced disk counts as down for good in the fault budget.
/// </summary>
public sealed partial class SimulatedCluster
{
    /// <summary>Looked up by kind, never enumerated.</summary>
    private readonly Dictionary<DrawnFault, SplitMix64Random> _faultRandoms;

    private long MeanIntervalMs(DrawnFault kind) => kind switch
    {
        DrawnFault.Crash => _knobs.CrashIntervalMs,
        DrawnFault.Partition => _knobs.PartitionIntervalMs,
        DrawnFault.Clog => _knobs.ClogIntervalMs,
        DrawnFault.Corruption => _knobs.CorruptIntervalMs,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private void ScheduleNextFault(DrawnFault kind)
    {
        long meanMs = MeanIntervalMs(kind);
        if (meanMs <= 0) return;
        _agenda.Schedule(_nowMs + 1 + DrawUpTo(_faultRandoms[kind], 2 * meanMs), _nowMs, new AgendaEvent.FaultDue(kind));
    }

    /// <summary>Uniform in [0, <paramref name="inclusiveMax"/>].</summary>
    private static long DrawUpTo(SplitMix64Random random, long inclusiveMax) => (long)(random.NextUInt64() % (ulong)(inclusiveMax + 1));

    private void InjectDrawnFault(DrawnFault kind)
    {
        switch (kind)
        {
            case DrawnFault.Crash: DrawCrash(); break;
            case DrawnFault.Partition: DrawPartition(); break;
            case DrawnFault.Clog: DrawClog(); break;
            case DrawnFault.Corruption: DrawCorruption(); break;
        }
        ScheduleNextFault(kind);
    }

    private long DrawRestartDelayMs() => DrawUpTo(_faultRandoms[DrawnFault.Crash], 2 * _knobs.RestartDelayMs);

    private bool IsDataLossEligible(SimulatedNode node) => !node.View.IsVoter || _knobs.VoterDataLoss;

    private bool HasDataLossEligibleNode() => _nodes.Any(IsDataLossEligible);

    /// <summary>
    /// Whether the node may come back on an empty disk: a node allowed to lose data, or a voter whose entry
    /// names its directory id, so the node can tell its new disk is not the voter's. (With
    /// <see cref="ReintroducedBugs.EmptyDiskVoter"/> the core ignores that, which is the flaw those runs show.)
    /// </summary>
    private bool MayRestartEmpty(SimulatedNode node) =>
        IsDataLossEligible(node) || node.View.Config.Voters.Any(v => v.NodeId == node.Id && v.DirectoryId is not null);

    /// <summary>
    /// Whether the node may go down now: by default a minority of the voters at most (at least one), so a
    /// quorum can stay up and liveness stays possible; observers freely. A voter on a replaced disk counts
    /// as down while it lives (it no longer votes), and may itself go down freely.
    /// <see cref="FaultKnob.NodesDownMax"/> replaces both with a limit on all nodes.
    /// </summary>
    private bool MayGoDown(SimulatedNode node)
    {
        if (!node.IsRunning || node.CrashDuringNextStep is not null) return false;
        // Loops, not LINQ: the explorer asks this for every node at every step.
        int down = 0, voters = 0, votersDown = 0;
        foreach (SimulatedNode other in _nodes)
        {
            bool isDown = !other.IsRunning || other.CrashDuringNextStep is not null;
            if (isDown) down++;
            if (!other.View.IsVoter) continue;
            voters++;
            if (isDown || other.View.IsVoterDiskReplaced) votersDown++;
        }
        if (_knobs.NodesDownMax >= 0) return down < _knobs.NodesDownMax;
        if (!node.View.IsVoter || node.View.IsVoterDiskReplaced) return true;
        return votersDown < Math.Max(1, (voters - 1) / 2);
    }

    private void DrawCrash()
    {
        SplitMix64Random random = _faultRandoms[DrawnFault.Crash];
        List<SimulatedNode> candidates = _nodes.Where(MayGoDown).ToList();
        int pick = random.Next(Math.Max(1, candidates.Count));
        bool midStep = _knobs.CrashMidStep.Happens(random);
        bool emptyDisk = _knobs.RestartEmpty.Happens(random);
        long restartAfterMs = DrawRestartDelayMs();
        if (candidates.Count == 0) return;
        SimulatedNode node = candidates[pick];
        emptyDisk &= MayRestartEmpty(node);
        if (midStep) node.CrashDuringNextStep = new PendingStepCrash(null, restartAfterMs, emptyDisk);
        else Crash(node, "power cut", null, restartAfterMs, emptyDisk, torn: null);
    }

    private void DrawPartition()
    {
        SplitMix64Random random = _faultRandoms[DrawnFault.Partition];
        bool oneWay = _knobs.PartitionOneWay.Happens(random);
        bool isolate = random.Next(2) == 0;
        int count = _nodes.Count;
        int a = 1 + random.Next(count);
        int b = count < 2 ? a : 1 + (a + random.Next(count - 1)) % count;
        ulong sides = random.NextUInt64();
        long durationMs = 1 + DrawUpTo(random, 2 * _knobs.PartitionDurationMs);
        if (count < 2) return;
        (List<(int, int)> links, string description) = oneWay ? ([(a, b)], $"one-way n{a}->n{b}")
            : isolate ? Isolation(a)
            : Split(sides, a);
        Block(links, description, durationMs);
        _coverage.Reached(CoverageGoals.Partition);
        if (oneWay) _coverage.Reached(CoverageGoals.OneWayPartition);
    }

    private (List<(int, int)> Links, string Description) Isolation(int nodeId)
    {
        var links = _nodes.Where(n => n.Id != nodeId).SelectMany(n => new[] { (nodeId, n.Id), (n.Id, nodeId) }).ToList();
        return (links, $"isolate n{nodeId}");
    }

    /// <summary>Splits the nodes in two by the bits of <paramref name="sides"/>; <paramref name="anchor"/> is moved if a side would be empty.</summary>
    private (List<(int, int)> Links, string Description) Split(ulong sides, int anchor)
    {
        bool OnLeft(int id) => ((sides >> (id - 1)) & 1) != 0;
        List<int> left = _nodes.Select(n => n.Id).Where(OnLeft).ToList();
        if (left.Count == 0 || left.Count == _nodes.Count) left = [anchor];
        List<int> right = _nodes.Select(n => n.Id).Where(id => !left.Contains(id)).ToList();
        var links = left.SelectMany(l => right.SelectMany(r => new[] { (l, r), (r, l) })).ToList();
        return (links, $"split {string.Join(",", left.Select(id => $"n{id}"))} | {string.Join(",", right.Select(id => $"n{id}"))}");
    }

    private void Block(List<(int From, int To)> links, string description, long? healAfterMs)
    {
        foreach ((int from, int to) in links) _network.Block(from, to);
        string until = healAfterMs is long ms ? $" until {_nowMs + ms}" : "";
        Record(new TraceEntry.Network(_nowMs, $"partition {description}{until}"), new SimulationEvent.FaultInjected(_nowMs, $"partition {description}"));
        CheckMonitors();
        if (healAfterMs is long afterMs) _agenda.Schedule(_nowMs + afterMs, _nowMs, new AgendaEvent.HealLinks(links, description));
    }

    private void HealLinks(AgendaEvent.HealLinks heal)
    {
        foreach ((int from, int to) in heal.Links) _network.Unblock(from, to);
        Record(new TraceEntry.Network(_nowMs, $"heal {heal.Description}"), new SimulationEvent.FaultInjected(_nowMs, $"heal {heal.Description}"));
        CheckMonitors();
    }

    private void DrawClog()
    {
        SplitMix64Random random = _faultRandoms[DrawnFault.Clog];
        int count = _nodes.Count;
        int a = 1 + random.Next(count);
        int b = count < 2 ? a : 1 + (a + random.Next(count - 1)) % count;
        long durationMs = 1 + DrawUpTo(random, 2 * _knobs.ClogDurationMs);
        if (count >= 2) Clog(a, b, durationMs);
    }

    private void Clog(int from, int to, long durationMs)
    {
        _network.Clog(from, to, _nowMs + durationMs);
        _coverage.Reached(CoverageGoals.LinkClogged);
        string description = $"clog n{from}->n{to} until {_nowMs + durationMs}";
        Record(new TraceEntry.Network(_nowMs, description), new SimulationEvent.FaultInjected(_nowMs, description));
        CheckMonitors();
    }

    /// <summary>Rots one byte of one durable batch of an eligible node, the node, log, batch, byte and bit all drawn.</summary>
    private void DrawCorruption()
    {
        SplitMix64Random random = _faultRandoms[DrawnFault.Corruption];
        ulong nodePick = random.NextUInt64(), logPick = random.NextUInt64(), batchPick = random.NextUInt64(), bytePick = random.NextUInt64();
        byte xorMask = (byte)(1 << random.Next(8));
        List<SimulatedNode> eligible = _nodes.Where(n => IsDataLossEligible(n) && n.View.Disk.Logs.Any(l => n.View.Disk.DurableBatches(l).Count > 0)).ToList();
        if (eligible.Count == 0) return;
        SimulatedNode node = eligible[(int)(nodePick % (ulong)eligible.Count)];
        List<TopicPartition> logs = node.View.Disk.Logs.Where(l => node.View.Disk.DurableBatches(l).Count > 0).ToList();
        TopicPartition log = logs[(int)(logPick % (ulong)logs.Count)];
        IReadOnlyList<(long BaseOffset, int SizeBytes)> batches = node.View.Disk.DurableBatches(log);
        (long baseOffset, int sizeBytes) = batches[(int)(batchPick % (ulong)batches.Count)];
        const int firstCoveredByte = Protocol.Records.RecordBatchLayout.CrcAt;
        int byteIndex = firstCoveredByte + (int)(bytePick % (ulong)(sizeBytes - firstCoveredByte));
        Corrupt(node, log, baseOffset, byteIndex, xorMask);
    }

    private void Corrupt(SimulatedNode node, TopicPartition log, long batchBaseOffset, int byteIndex, byte xorMask)
    {
        if (!node.View.Disk.CorruptByte(log, batchBaseOffset, byteIndex, xorMask))
            throw new ArgumentException($"n{node.Id} has no durable batch at {batchBaseOffset} of {log} with a byte {byteIndex} the CRC covers");
        _coverage.Reached(CoverageGoals.SectorCorrupted);
        Record(new TraceEntry.Corruption(_nowMs, node.Id, log, batchBaseOffset, byteIndex, xorMask),
            new SimulationEvent.FaultInjected(_nowMs, $"n{node.Id} corrupt {log} batch {batchBaseOffset} byte {byteIndex}"));
        CheckMonitors();
    }

    private void InjectScriptedFault(ClusterFault fault)
    {
        switch (fault)
        {
            case ClusterFault.Crash crash:
                Crash(NodeById(crash.NodeId), "scripted crash", null, crash.RestartAfterMs, crash.EmptyDiskOnRestart, crash.Torn);
                break;
            case ClusterFault.CrashDuringNextStep midStep:
                NodeById(midStep.NodeId).CrashDuringNextStep = new PendingStepCrash(midStep.AfterEffects, midStep.RestartAfterMs, false);
                break;
            case ClusterFault.Restart restart:
                SimulatedNode node = NodeById(restart.NodeId);
                if (!node.IsRunning) StartNode(new AgendaEvent.NodeStart(node.Id, node.View.Incarnation + 1, restart.EmptyDisk));
                break;
            case ClusterFault.Partition partition:
                List<(int, int)> links = partition.OneWay ? [(partition.FromNodeId, partition.ToNodeId)]
                    : [(partition.FromNodeId, partition.ToNodeId), (partition.ToNodeId, partition.FromNodeId)];
                Block(links, $"{(partition.OneWay ? "one-way " : "")}n{partition.FromNodeId}{(partition.OneWay ? "->" : "<->")}n{partition.ToNodeId}", partition.HealAfterMs);
                break;
            case ClusterFault.Heal heal:
                List<(int, int)> healed = heal.OneWay ? [(heal.FromNodeId, heal.ToNodeId)] : [(heal.FromNodeId, heal.ToNodeId), (heal.ToNodeId, heal.FromNodeId)];
                HealLinks(new AgendaEvent.HealLinks(healed, $"n{heal.FromNodeId}{(heal.OneWay ? "->" : "<->")}n{heal.ToNodeId}"));
                break;
            case ClusterFault.Isolate isolate:
                (List<(int, int)> isolated, string description) = Isolation(NodeById(isolate.NodeId).Id);
                Block(isolated, description, isolate.HealAfterMs);
                break;
            case ClusterFault.Clog clog:
                Clog(NodeById(clog.FromNodeId).Id, NodeById(clog.ToNodeId).Id, clog.DurationMs);
                break;
            case ClusterFault.CorruptByte corrupt:
                Corrupt(NodeById(corrupt.NodeId), corrupt.Log, corrupt.BatchBaseOffset, corrupt.ByteIndex, corrupt.XorMask);
                break;
            default:
                throw new ArgumentException($"unknown fault {fault.GetType().Name}", nameof(fault));
        }
    }
}
