using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// A way of choosing schedules, one iteration (one run of the cluster from its start) at a time. Strategies
/// are deterministic given their seed, so an iteration is reproduced by its number alone, and every choice
/// they make is recorded by the explorer (<see cref="Explorer"/>), which is what a trace and the shrinker use.
/// </summary>
public interface IExplorationStrategy : IScheduleChooser
{
    string Name { get; }

    /// <summary>Prepares iteration <paramref name="iteration"/> (0-based); false when the strategy has nothing left to explore.</summary>
    bool BeginIteration(int iteration);

    /// <summary>
    /// True when every iteration must run the campaign's one seed: the strategy replays prefixes of earlier
    /// iterations' schedules, which reach the same states only on the same cluster. Otherwise iteration i runs
    /// seed + i, so the nodes' own randomness (election jitter) varies too.
    /// </summary>
    bool RunsOneCluster => false;
}
