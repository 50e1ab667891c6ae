namespace Reference.Exploration.Strategies;

/// <summary>The strategies `kraft explore --strategy` names.</summary>
public static class StrategyCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["random", "probabilistic", "pct", "dfs", "portfolio"];

    /// <summary>A fresh strategy by name; PCT takes <paramref name="changePoints"/>.</summary>
    public static IExplorationStrategy Create(string name, ulong seed, int stepsMax, int changePoints = 3) => name switch
    {
        "random" => new RandomWalkStrategy(seed),
        "probabilistic" => new ProbabilisticStrategy(seed),
        "pct" => new PctStrategy(seed, changePoints, stepsMax),
        "dfs" => new DfsStrategy(),
        "portfolio" => PortfolioStrategy.Default(seed, stepsMax),
        _ => throw new ArgumentException($"unknown strategy '{name}' (one of {string.Join(", ", Names)})", nameof(name)),
    };
}
