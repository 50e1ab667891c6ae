using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// Replays a recorded decision list: each step takes the first enabled choice with the next decision's
/// signature. A decision that matches nothing enabled is skipped (the shrinker removed what enabled it),
/// and when the list runs out the chosen prefix ends. Used to reproduce an iteration and by the shrinker.
/// Two enabled choices may share a signature (say two connections from one node to another, each with a
/// close at its head after a crash); the one with the decision's time and rank among them is taken then,
/// so an unshrunk schedule replays exactly, else one at its time, else the first (a shrunk schedule's
/// times move).
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
            int pick = DecisionMatch.Find(step.Choices, decisions[_next++]);
            if (pick >= 0) return pick;
        }
        return ScheduleStep.EndOfPrefix;
    }
}
