using Reference.Core.Node;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010), as Coyote applies it: every lane
/// (a node, a client, the fault injector) gets a random priority when first seen; each step takes the
/// enabled choice of the highest-priority lane (its earliest); at <paramref name="changePoints"/> steps drawn
/// uniformly in the run, the lane that would run is demoted below all others. A bug of depth d is found
/// with probability at least 1/(n·k^(d-1)) per run, for n lanes and k steps.
/// </summary>
public sealed class PctStrategy(ulong seed, int changePoints, int stepsMax) : IExplorationStrategy
{
    /// <summary>Lanes in one run at most (nodes, clients, the fault injector).</summary>
    private const int LanesMax = 256;

    private SplitMix64Random _random = new(seed);
    /// <summary>Lanes by priority, highest first.</summary>
    private readonly List<int> _priorities = [];
    private readonly SortedSet<int> _changeSteps = [];

    public string Name => $"pct(d={changePoints})";

    public bool BeginIteration(int iteration)
    {
        _random = new SplitMix64Random(IterationSeeds.Of(seed, iteration, Name));
        _priorities.Clear();
        _changeSteps.Clear();
        // Bounded: at most as many draws as change points asked for, each retried at most stepsMax times for a distinct step.
        for (int i = 0; i < changePoints && _changeSteps.Count < stepsMax; i++)
            for (int attempt = 0; attempt < stepsMax && !_changeSteps.Add(_random.Next(Math.Max(1, stepsMax))); attempt++) { }
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        IReadOnlyList<ScheduleChoice> choices = step.Choices;
        foreach (ScheduleChoice choice in choices)
        {
            if (_priorities.Contains(choice.Lane)) continue;
            if (_priorities.Count >= LanesMax) throw new InvalidOperationException($"more than {LanesMax} lanes in one run");
            _priorities.Insert(_random.Next(_priorities.Count + 1), choice.Lane);
        }
        int pick = HighestPriority(choices);
        if (_changeSteps.Contains(step.Index))
        {
            // The change point: the running lane drops below every other; the step then goes to the new highest.
            _priorities.Remove(choices[pick].Lane);
            _priorities.Add(choices[pick].Lane);
            pick = HighestPriority(choices);
        }
        return pick;
    }

    private int HighestPriority(IReadOnlyList<ScheduleChoice> choices)
    {
        int best = 0;
        int bestRank = int.MaxValue;
        for (int i = 0; i < choices.Count; i++)
        {
            int rank = _priorities.IndexOf(choices[i].Lane);
            if (rank < bestRank)
            {
                best = i;
                bestRank = rank;
            }
        }
        return best;
    }
}
