using Reference.Core.Node;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// Random walk with inertia: with probability <paramref name="stayPercent"/>% the next choice is again one of
/// the lane (node, client or fault injector) chosen last, if that lane has one enabled, else any. Long runs
/// of one node's progress (a leader's fetch loop, one voter's election) become likely, which uniform
/// choice makes rare.
/// </summary>
public sealed class ProbabilisticStrategy(ulong seed, int stayPercent = 80) : IExplorationStrategy
{
    private SplitMix64Random _random = new(seed);
    private int _lastLane = -1;

    public string Name => $"probabilistic({stayPercent}%)";

    public bool BeginIteration(int iteration)
    {
        _random = new SplitMix64Random(IterationSeeds.Of(seed, iteration, "probabilistic"));
        _lastLane = -1;
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        ReadOnlySpan<ScheduleChoice> choices = step.Choices;
        int pick = _random.Next(choices.Length);
        if (_random.Next(100) < stayPercent)
        {
            int sameLane = 0;
            for (int i = 0; i < choices.Length; i++)
                if (choices[i].Lane == _lastLane) sameLane++;
            if (sameLane > 0)
            {
                int nth = _random.Next(sameLane);
                for (int i = 0; i < choices.Length; i++)
                    if (choices[i].Lane == _lastLane && nth-- == 0) pick = i;
            }
        }
        _lastLane = choices[pick].Lane;
        return pick;
    }
}
