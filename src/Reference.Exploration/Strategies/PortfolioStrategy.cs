using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// Several strategies taking turns, one iteration each (Coyote's portfolio, run in one thread): no single
/// strategy is best for every bug, and the turn-taking costs nothing. The default mix is a random walk,
/// the probabilistic walk, and PCT with 1, 3 and 10 change points.
/// </summary>
public sealed class PortfolioStrategy : IExplorationStrategy
{
    private readonly IReadOnlyList<IExplorationStrategy> _members;
    private IExplorationStrategy _current;

    public PortfolioStrategy(IReadOnlyList<IExplorationStrategy> members)
    {
        if (members.Count == 0) throw new ArgumentException("a portfolio needs at least one strategy", nameof(members));
        _members = members;
        _current = members[0];
    }

    public static PortfolioStrategy Default(ulong seed, int stepsMax) => new(
    [
        new RandomWalkStrategy(seed),
        new ProbabilisticStrategy(seed),
        new PctStrategy(seed, 1, stepsMax),
        new PctStrategy(seed, 3, stepsMax),
        new PctStrategy(seed, 10, stepsMax),
    ]);

    public string Name => $"portfolio({string.Join(",", _members.Select(m => m.Name))})";

    /// <summary>The member that runs the current iteration.</summary>
    public string CurrentName => _current.Name;

    public bool BeginIteration(int iteration)
    {
        _current = _members[iteration % _members.Count];
        return _current.BeginIteration(iteration / _members.Count);
    }

    public int Choose(ScheduleStep step) => _current.Choose(step);
}
