using Reference.Exploration.Strategies;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Tests;

/// <summary>
/// PCT over real nodes: between change points the lanes keep one priority order (a lane that won over another
/// never loses to it), each step takes its lane's earliest choice, and change points do reorder the lanes.
/// </summary>
public sealed class PctStrategyTests
{
    private static readonly ExplorationOptions Election = new() { Voters = 3, Iterations = 20, StepsMax = 200, Workload = ExplorationWorkload.None, CrashesMax = 1, DropsMax = 2 };

    /// <summary>Records, per iteration, which lane each step took over which other enabled lanes.</summary>
    private sealed class LaneOrder(IExplorationStrategy inner) : IExplorationStrategy
    {
        private HashSet<(int Winner, int Loser)> _beaten = [];

        public string Name => inner.Name;

        /// <summary>Steps that took a lane over one that had won over it earlier in the same iteration.</summary>
        public int Reversals { get; private set; }

        /// <summary>Steps that took a choice other than the earliest of its lane.</summary>
        public int LaterChoicesOfALane { get; private set; }

        public int Steps { get; private set; }

        public bool BeginIteration(int iteration)
        {
            _beaten = [];
            return inner.BeginIteration(iteration);
        }

        public int Choose(ScheduleStep step)
        {
            int pick = inner.Choose(step);
            ReadOnlySpan<ScheduleChoice> choices = step.Choices;
            int lane = choices[pick].Lane;
            Steps++;
            for (int i = 0; i < pick; i++)
                if (choices[i].Lane == lane) LaterChoicesOfALane++;
            bool reversed = false;
            foreach (ScheduleChoice other in choices)
            {
                if (other.Lane == lane) continue;
                reversed |= _beaten.Contains((other.Lane, lane));
                _beaten.Add((lane, other.Lane));
            }
            if (reversed) Reversals++;
            return pick;
        }
    }

    [Fact]
    public void WithoutChangePointsTheLanesKeepOneOrderAndEachStepTakesItsLanesEarliest()
    {
        var order = new LaneOrder(new PctStrategy(5, changePoints: 0, Election.StepsMax));
        new Explorer(Election with { Seed = 5 }).Run(order);
        Assert.True(order.Steps > Election.Iterations * 50, $"only {order.Steps} steps");
        Assert.Equal(0, order.Reversals);
        Assert.Equal(0, order.LaterChoicesOfALane);
    }

    [Fact]
    public void ChangePointsReorderTheLanes()
    {
        var order = new LaneOrder(new PctStrategy(5, changePoints: 3, Election.StepsMax));
        new Explorer(Election with { Seed = 5 }).Run(order);
        Assert.Equal(0, order.LaterChoicesOfALane);
        // Each change point demotes the lane about to run, so some lane later wins over one that beat it; at
        // most three demotions an iteration, each reversing its lane against the lanes it had beaten.
        Assert.True(order.Reversals > 0, "no step reversed an earlier order: the change points did nothing");
    }
}
