using Reference.Exploration.Strategies;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Shrinking;

/// <summary>A fault and the step (0-based, the index of its decision) at which it strikes.</summary>
public readonly record struct PlannedFault(int Step, ScheduleChoice Fault);

/// <summary>
/// A timely schedule as what it is: the simulator's own order (always the earliest event, as
/// <see cref="TimelyStrategy"/> takes) with a few faults at given steps, for at most <see cref="StepsMax"/>
/// steps. Shrinking this instead of the decision list lets a fault go or move while every other step stays
/// "the earliest event", so the rest of the run follows the simulator's order rather than a recorded order
/// that no longer matches (<see cref="ScheduleShrinker"/>).
/// </summary>
public sealed record FaultPlan(IReadOnlyList<PlannedFault> Faults, int StepsMax)
{
    /// <summary>The plan a decision list would be under the timely strategy: each fault decision at its index, as many steps as decisions.</summary>
    public static FaultPlan Of(IReadOnlyList<ScheduleChoice> decisions)
    {
        var faults = new List<PlannedFault>();
        for (int i = 0; i < decisions.Count; i++)
            if (decisions[i].Lane == ScheduleChoice.FaultLane) faults.Add(new PlannedFault(i, decisions[i]));
        return new FaultPlan(faults, decisions.Count);
    }

    /// <summary>The plan without fault <paramref name="index"/>.</summary>
    public FaultPlan Without(int index) => this with { Faults = [.. Faults.Take(index), .. Faults.Skip(index + 1)] };

    /// <summary>The plan with fault <paramref name="index"/> moved to <paramref name="step"/> (kept in step order by the caller's bounds).</summary>
    public FaultPlan Moved(int index, int step) => this with { Faults = [.. Faults.Take(index), Faults[index] with { Step = step }, .. Faults.Skip(index + 1)] };
}

/// <summary>
/// Runs a <see cref="FaultPlan"/>: at each step the earliest enabled event, except that a fault whose step
/// has come is taken as soon as it is enabled (a fault point with its fault not on offer, say a crash the
/// minority rule forbids just then, is carried to the next step that offers it, as the timely strategy
/// carries its own). The fault is matched by signature, its recorded rank among alike choices first. The
/// explorer records its choices as any strategy's, so the result is a decision list <see cref="GuidedStrategy"/> replays.
/// </summary>
public sealed class FaultPlanStrategy(FaultPlan plan) : IExplorationStrategy
{
    private readonly List<ScheduleChoice> _owed = [];
    private int _next;

    public string Name => "fault-plan";

    public bool BeginIteration(int iteration)
    {
        _next = 0;
        _owed.Clear();
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        if (step.Index >= plan.StepsMax) return ScheduleStep.EndOfPrefix;
        // Bounded by the plan: each fault joins the owed list once and leaves it once.
        while (_next < plan.Faults.Count && plan.Faults[_next].Step <= step.Index) _owed.Add(plan.Faults[_next++].Fault);
        ReadOnlySpan<ScheduleChoice> choices = step.Choices;
        for (int k = 0; k < _owed.Count; k++)
        {
            int fault = DecisionMatch.FindAnyTime(choices, _owed[k]);
            if (fault < 0) continue;
            _owed.RemoveAt(k);
            return fault;
        }
        // The choices come earliest first, faults after the events: the first event is the earliest.
        for (int i = 0; i < choices.Length; i++)
            if (choices[i].Lane != ScheduleChoice.FaultLane) return i;
        return ScheduleStep.EndOfPrefix;
    }
}
