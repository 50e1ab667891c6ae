using Reference.Core.Node;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// The simulator's own order with faults at random steps, as Jepsen's nemesis strikes a cluster running in
/// real time: each step takes the earliest enabled event (so virtual time runs as in `kraft sim`, heartbeats,
/// fetches and timeouts in their order), except at <paramref name="faultPoints"/> steps drawn uniformly in
/// the run (PCT's change points, for faults), where it takes a fault instead: a kind drawn uniformly among
/// the kinds the budget still offers (crash, kill, wipe, drop, cut link), then one of that kind. A fault
/// point with no fault on offer is carried to the next step that has one.
/// <para>
/// The other strategies reorder freely, and under asynchronous time a reordered timer jumps the clock, so
/// they rarely let a run live the tens of seconds of virtual time a data-plane flaw needs (an ISR shrinking
/// after <c>replica.lag.time.max.ms</c>, a broker fenced after its session timeout): this one does, and
/// spends its randomness on which faults strike when.
/// </para>
/// </summary>
public sealed class TimelyStrategy(ulong seed, int faultPoints, int stepsMax) : IExplorationStrategy
{
    private SplitMix64Random _random = new(seed);
    private readonly SortedSet<int> _faultSteps = [];
    private readonly List<ChoiceKind> _kinds = [];
    private int _owed;

    public string Name => $"timely(f={faultPoints})";

    public bool BeginIteration(int iteration)
    {
        _random = new SplitMix64Random(IterationSeeds.Of(seed, iteration, Name));
        _faultSteps.Clear();
        _owed = 0;
        // Bounded: at most faultPoints draws, each retried at most stepsMax times for a distinct step.
        for (int i = 0; i < faultPoints && _faultSteps.Count < stepsMax; i++)
            for (int attempt = 0; attempt < stepsMax && !_faultSteps.Add(_random.Next(Math.Max(1, stepsMax))); attempt++) { }
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        ReadOnlySpan<ScheduleChoice> choices = step.Choices;
        if (_faultSteps.Contains(step.Index)) _owed++;
        if (_owed > 0 && PickFault(choices) is int fault)
        {
            _owed--;
            return fault;
        }
        // The choices come earliest first, faults after the events: the first event is the earliest.
        for (int i = 0; i < choices.Length; i++)
            if (choices[i].Lane != ScheduleChoice.FaultLane) return i;
        return ScheduleStep.EndOfPrefix;
    }

    /// <summary>A fault kind drawn uniformly among those offered, then one of its choices; null when none is offered.</summary>
    private int? PickFault(ReadOnlySpan<ScheduleChoice> choices)
    {
        _kinds.Clear();
        foreach (ScheduleChoice choice in choices)
            if (choice.Lane == ScheduleChoice.FaultLane && !_kinds.Contains(choice.Kind)) _kinds.Add(choice.Kind);
        if (_kinds.Count == 0) return null;
        ChoiceKind kind = _kinds[_random.Next(_kinds.Count)];
        int count = 0;
        foreach (ScheduleChoice choice in choices)
            if (choice.Kind == kind) count++;
        int nth = _random.Next(count);
        for (int i = 0; i < choices.Length; i++)
            if (choices[i].Kind == kind && nth-- == 0) return i;
        return null;
    }
}
