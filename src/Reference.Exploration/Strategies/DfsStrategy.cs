using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>
/// Bounded exhaustive search, depth first, as stateless model checking (VeriSoft, CHESS): real nodes cannot
/// be cloned, so each iteration replays the current path's prefix from the cluster's start and then takes
/// the first choice at each new depth; between iterations the deepest choice with an untried sibling moves
/// to that sibling. A step whose abstract state (<see cref="StateAbstraction"/>) was already visited ends
/// its iteration there, since everything below it was or will be explored from the first visit. The depth
/// is the explorer's step bound; the visited set is bounded by <paramref name="statesMax"/>.
/// For 2-3 nodes and a few dozen steps.
/// </summary>
public sealed class DfsStrategy(int statesMax = 1_000_000) : IExplorationStrategy
{
    /// <summary>The choice taken at each depth of the current path.</summary>
    private readonly List<int> _path = [];
    /// <summary>How many choices each depth of the current path had.</summary>
    private readonly List<int> _widths = [];
    private readonly HashSet<ulong> _visited = [];
    private bool _started;

    public string Name => "dfs";

    public bool RunsOneCluster => true;

    /// <summary>Distinct abstract states visited so far.</summary>
    public int StatesVisited => _visited.Count;

    /// <summary>True once every branch within the bounds was tried.</summary>
    public bool Exhausted { get; private set; }

    public bool BeginIteration(int iteration)
    {
        if (Exhausted) return false;
        if (!_started)
        {
            _started = true;
            return true;
        }
        // Backtrack: the deepest depth with an untried sibling takes it; everything below is forgotten.
        while (_path.Count > 0 && _path[^1] + 1 >= _widths[^1])
        {
            _path.RemoveAt(_path.Count - 1);
            _widths.RemoveAt(_widths.Count - 1);
        }
        if (_path.Count == 0)
        {
            Exhausted = true;
            return false;
        }
        _path[^1]++;
        return true;
    }

    public int Choose(ScheduleStep step)
    {
        int depth = step.Index;
        if (depth < _path.Count)
        {
            if (_widths[depth] != step.Choices.Length)
                throw new InvalidOperationException($"replaying depth {depth} offered {step.Choices.Length} choices, not {_widths[depth]}: the run is not deterministic");
            return _path[depth];
        }
        ulong state = StateAbstraction.Hash(step.View, step.PendingDigest);
        if (_visited.Count >= statesMax || !_visited.Add(state)) return ScheduleStep.EndOfPrefix;
        _path.Add(0);
        _widths.Add(step.Choices.Length);
        return 0;
    }
}
