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
    /// <summary>Lanes in one run at most (nodes, clients, the fault injector); a lane's number is below it too.</summary>
    private const int LanesMax = 256;

    private SplitMix64Random _random = new(seed);
    /// <summary>Lanes by priority, highest first.</summary>
    private readonly List<int> _priorities = [];
    /// <summary>Each lane's index in <see cref="_priorities"/>, or -1 before it is first seen: read for every choice at every step.</summary>
    private readonly int[] _rankOf = new int[LanesMax];
    /// <summary>Whether step i is a priority change point.</summary>
    private readonly bool[] _isChangeStep = new bool[Math.Max(1, stepsMax)];

    public string Name => $"pct(d={changePoints})";

    public bool BeginIteration(int iteration)
    {
        _random = new SplitMix64Random(IterationSeeds.Of(seed, iteration, Name));
        _priorities.Clear();
        Array.Fill(_rankOf, -1);
        Array.Clear(_isChangeStep);
        // Bounded: at most as many draws as change points asked for, each retried at most stepsMax times for a distinct step.
        int changeSteps = 0;
        for (int i = 0; i < changePoints && changeSteps < stepsMax; i++)
            for (int attempt = 0; attempt < stepsMax; attempt++)
            {
                int drawn = _random.Next(Math.Max(1, stepsMax));
                if (_isChangeStep[drawn]) continue;
                _isChangeStep[drawn] = true;
                changeSteps++;
                break;
            }
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        ReadOnlySpan<ScheduleChoice> choices = step.Choices;
        foreach (ScheduleChoice choice in choices)
        {
            int lane = choice.Lane;
            if ((uint)lane >= LanesMax) throw new InvalidOperationException($"lane {lane} is beyond PCT's {LanesMax} lanes");
            if (_rankOf[lane] >= 0) continue;
            int rank = _random.Next(_priorities.Count + 1);
            _priorities.Insert(rank, lane);
            RankFrom(rank);
        }
        int pick = HighestPriority(choices);
        if ((uint)step.Index < (uint)_isChangeStep.Length && _isChangeStep[step.Index])
        {
            // The change point: the running lane drops below every other; the step then goes to the new highest.
            int demoted = choices[pick].Lane, from = _rankOf[demoted];
            _priorities.RemoveAt(from);
            _priorities.Add(demoted);
            RankFrom(from);
            pick = HighestPriority(choices);
        }
        return pick;
    }

    /// <summary>Renumbers the lanes from <paramref name="first"/> on, after an insertion or a move there.</summary>
    private void RankFrom(int first)
    {
        for (int rank = first; rank < _priorities.Count; rank++) _rankOf[_priorities[rank]] = rank;
    }

    private int HighestPriority(ReadOnlySpan<ScheduleChoice> choices)
    {
        int best = 0;
        int bestRank = int.MaxValue;
        for (int i = 0; i < choices.Length; i++)
        {
            int rank = _rankOf[choices[i].Lane];
            if (rank < bestRank)
            {
                best = i;
                bestRank = rank;
            }
        }
        return best;
    }
}
