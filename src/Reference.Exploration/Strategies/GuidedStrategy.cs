using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// Replays a recorded decision list: each step takes the first enabled choice with the next decision's
/// signature. A decision that matches nothing enabled is skipped (the shrinker removed what enabled it),
/// and when the list runs out the chosen prefix ends. Used to reproduce an iteration and by the shrinker.
/// </summary>
public sealed class GuidedStrategy(IReadOnlyList<ScheduleChoice> decisions) : IExplorationStrategy
{
    private int _next;

    public string Name => "guided";

    public bool BeginIteration(int iteration)
    {
        _next = 0;
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        // Bounded by the list: each decision is looked at once.
        while (_next < decisions.Count)
        {
            ulong wanted = decisions[_next++].Signature;
            for (int i = 0; i < step.Choices.Count; i++)
                if (step.Choices[i].Signature == wanted) return i;
        }
        return ScheduleStep.EndOfPrefix;
    }
}
