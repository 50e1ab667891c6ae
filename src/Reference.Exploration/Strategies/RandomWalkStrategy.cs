using Reference.Core.Node;
using Reference.Simulation.Randomness;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>Coyote's random walk: each step a uniformly drawn enabled choice. The cheapest strategy and a strong baseline.</summary>
public sealed class RandomWalkStrategy(ulong seed) : IExplorationStrategy
{
    private SplitMix64Random _random = new(seed);

    public string Name => "random";

    public bool BeginIteration(int iteration)
    {
        _random = new SplitMix64Random(IterationSeeds.Of(seed, iteration, "random"));
        return true;
    }

    public int Choose(ScheduleStep step) => _random.Next(step.Choices.Length);
}

/// <summary>One seed per (strategy seed, iteration, strategy), so strategies in a portfolio never share a stream.</summary>
internal static class IterationSeeds
{
    public static ulong Of(ulong seed, int iteration, string strategy) =>
        RandomStreams.Derive(seed + (ulong)iteration * 0x9E3779B97F4A7C15UL, StableHash.Fnv1a64(strategy));
}
