namespace Reference.Exploration.Strategies;

/// <summary>The strategies `kraft explore --strategy` names.</summary>
public static class StrategyCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["random", "probabilistic", "pct", "dfs", "portfolio", "timely", "coverage"];

    /// <summary>
    /// A fresh strategy by name; PCT takes <paramref name="changePoints"/>, timely takes <paramref name="faultPoints"/>
    /// (the campaign's whole fault budget, <see cref="ExplorationOptions.FaultBudget"/>, when built from its options).
    /// </summary>
    public static IExplorationStrategy Create(string name, ulong seed, int stepsMax, int changePoints = 3, int faultPoints = 1) => name switch
    {
        "random" => new RandomWalkStrategy(seed),
        "probabilistic" => new ProbabilisticStrategy(seed),
        "pct" => new PctStrategy(seed, changePoints, stepsMax),
        "dfs" => new DfsStrategy(),
        "portfolio" => PortfolioStrategy.Default(seed, stepsMax),
        "timely" => new TimelyStrategy(seed, faultPoints, stepsMax),
        "coverage" => new CoverageGuidedStrategy(seed),
        _ => throw new ArgumentException($"unknown strategy '{name}' (one of {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>A fresh strategy for a campaign: its seed, its steps, and for timely as many fault points as its budget has faults.</summary>
    public static IExplorationStrategy Create(string name, ExplorationOptions options, int changePoints = 3) =>
        Create(name, options.Seed, options.StepsMax, changePoints, options.FaultBudget);
}
