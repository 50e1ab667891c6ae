using System.Numerics;
using Reference.Core.Node;
using Reference.Simulation.Monitors;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// Coverage-guided search: greybox fuzzing (AFL's loop) with schedules for inputs and <see cref="RaftShape"/>
/// for coverage. Every step of a random walk computes the cluster's shape (with the faults spent so far); the
/// first time one is seen, the decisions that led to it join the corpus. An iteration replays a corpus entry (on
/// the campaign's one cluster, so the replay is exact and reaches that shape again) and walks on from it for at
/// most <see cref="WalkStepsMax"/> steps: a newly kept entry first, <see cref="Energy"/> times, else one drawn at
/// random; one iteration in <see cref="FreshOneIn"/> starts from nothing. In the walk faults are rare and a
/// crashed node stays down a while (<see cref="Walk"/>). A deep flaw whose schedule needs several unlikely
/// steps in a row (the Raft paper's Figure 8: three crashes, each inside a window a few events wide, and a
/// crashed leader kept down through another's election) is out of a random walk's reach, but each of those
/// steps leaves the logs in a shape not seen before, so the search keeps each step once taken and builds the
/// next on it.
/// </summary>
public sealed class CoverageGuidedStrategy(ulong seed) : IExplorationStrategy
{
    /// <summary>Schedules kept at most (memory: a few hundred decisions each); shapes found past it are counted, not kept.</summary>
    public const int CorpusMax = 100_000;

    /// <summary>One iteration in this many is a plain random walk from the start.</summary>
    public const int FreshOneIn = 8;

    /// <summary>
    /// Iterations that build on a newly kept schedule before the search moves on (AFL's energy): one walk from a
    /// shape rarely takes the few steps that lead on from it, and a new shape's followers are looked at first.
    /// </summary>
    public const int Energy = 4;

    /// <summary>
    /// Steps a walk goes past its replayed prefix at most (then the iteration ends): the search stays near the
    /// shapes it found, rather than piling up epochs and histories in long walks that add shapes of little use.
    /// </summary>
    public const int WalkStepsMax = 250;

    /// <summary>A random step takes a fault (when one is on offer) one step in this many.</summary>
    public const int FaultOneIn = 20;

    /// <summary>A crashed node stays down fewer steps than this (<see cref="Downtime"/>).</summary>
    public const int DowntimeStepsMax = 512;

    private readonly HashSet<ulong> _shapes = [];
    private readonly List<CorpusEntry> _corpus = [];
    private readonly List<ScheduleChoice> _decisions = [];
    /// <summary>Corpus entries still to build on (<see cref="Energy"/> times each), newest on top: a new shape is followed up at once (depth first).</summary>
    private readonly Stack<int> _untried = [];
    private IReadOnlyList<ScheduleChoice> _prefix = [];
    private int _next, _faultsSpent;
    /// <summary>Per crashed node, the step from which the walk may restart it.</summary>
    private readonly Dictionary<int, int> _restartAt = [];
    private SplitMix64Random _random = new(seed);

    public string Name => "coverage";

    public bool RunsOneCluster => true;

    /// <summary>Distinct shapes seen so far (the coverage).</summary>
    public int Shapes => _shapes.Count;

    /// <summary>Schedules kept, each reaching a shape first.</summary>
    public int CorpusSize => _corpus.Count;

    /// <summary>The schedules kept, in the order found, each with the coverage key (<see cref="Key"/>) it first reached.</summary>
    public IReadOnlyList<CorpusEntry> Corpus => _corpus;

    /// <summary>What is covered: the cluster's <see cref="RaftShape"/> and the faults spent to reach it (a shape reached with budget left can lead further).</summary>
    public static ulong Key(ClusterView view, int faultsSpent) => StateAbstraction.Mix(RaftShape.Hash(view) ^ (ulong)faultsSpent);

    /// <summary>
    /// A random step in which faults are rare and a crashed node stays down a while. A fault (a choice in the
    /// fault injector's lane) is taken one step in <see cref="FaultOneIn"/> when other choices exist too; a node
    /// that went down is not restarted before a downtime drawn when the walk first sees it down. Drawn uniformly,
    /// a fault is as likely as any one delivery, so a walk would spend its whole budget in its first few dozen
    /// steps, before the first election has written anything a crash could lose; and a crashed node would come
    /// back within a few steps, before the others could elect a leader without it.
    /// </summary>
    private int Walk(ScheduleStep step)
    {
        foreach (NodeView node in step.View.Nodes)
        {
            if (node.IsRunning || node.Incarnation == 0) _restartAt.Remove(node.NodeId);
            else if (!_restartAt.ContainsKey(node.NodeId)) _restartAt[node.NodeId] = step.Index + Downtime();
        }
        ReadOnlySpan<ScheduleChoice> choices = step.Choices;
        int faults = 0, others = 0;
        for (int i = 0; i < choices.Length; i++)
        {
            if (IsHeld(choices[i], step.Index)) continue;
            if (choices[i].Lane == ScheduleChoice.FaultLane) faults++;
            else others++;
        }
        if (faults + others == 0) return _random.Next(choices.Length);
        bool fault = others == 0 || (faults > 0 && _random.Next(FaultOneIn) == 0);
        int nth = _random.Next(fault ? faults : others);
        for (int i = 0; i < choices.Length; i++)
            if (!IsHeld(choices[i], step.Index) && (choices[i].Lane == ScheduleChoice.FaultLane) == fault && nth-- == 0) return i;
        throw new InvalidOperationException("unreachable: the draw is within the count");
    }

    /// <summary>A restart whose downtime has not passed yet.</summary>
    private bool IsHeld(ScheduleChoice choice, int stepIndex) =>
        choice.Kind == ChoiceKind.Start && _restartAt.TryGetValue(choice.NodeId, out int due) && stepIndex < due;

    /// <summary>
    /// Steps a crashed node stays down, 1 to <see cref="DowntimeStepsMax"/> - 1, about log-uniform (a power of two
    /// drawn among 1, 2, ..., <see cref="DowntimeStepsMax"/>/2, then a point up to the next), so outages of a few
    /// steps and of a whole election are alike likely.
    /// </summary>
    private int Downtime()
    {
        int scale = 1 << _random.Next(BitOperations.Log2((uint)DowntimeStepsMax));
        return scale + _random.Next(scale);
    }

    public bool BeginIteration(int iteration)
    {
        _random = new SplitMix64Random(IterationSeeds.Of(seed, iteration, Name));
        _decisions.Clear();
        _faultsSpent = 0;
        _restartAt.Clear();
        _next = 0;
        // Three iterations in four build on an entry still to be built on, if any; the fourth on any entry, so
        // older shapes keep a chance once the newest have had theirs.
        _prefix = _corpus.Count == 0 || _random.Next(FreshOneIn) == 0 ? []
            : _untried.Count > 0 && _random.Next(4) != 0 ? _corpus[_untried.Pop()].Decisions
            : _corpus[_random.Next(_corpus.Count)].Decisions;
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        if (step.Index >= _prefix.Count + WalkStepsMax) return ScheduleStep.EndOfPrefix;
        int pick = -1;
        // The prefix's states were all seen when it was recorded: it is replayed without computing shapes.
        if (_next < _prefix.Count) pick = DecisionMatch.Find(step.Choices, _prefix[_next++]);
        if (pick < 0)
        {
            _next = _prefix.Count;
            ulong key = Key(step.View, _faultsSpent);
            if (_shapes.Add(key) && _corpus.Count < CorpusMax)
            {
                for (int i = 0; i < Energy; i++) _untried.Push(_corpus.Count);
                _corpus.Add(new CorpusEntry([.. _decisions], key));
            }
            pick = Walk(step);
        }
        if (step.Choices[pick].Lane == ScheduleChoice.FaultLane) _faultsSpent++;
        _decisions.Add(DecisionMatch.Ranked(step.Choices, pick));
        return pick;
    }
}

/// <summary>A schedule the coverage-guided search kept: the decisions that first reached <paramref name="Key"/>.</summary>
public sealed record CorpusEntry(IReadOnlyList<ScheduleChoice> Decisions, ulong Key);
