namespace Reference.Simulation.Monitors;

/// <summary>
/// "Sometimes" goals (Antithesis's name): states a run should reach now and then, counted per run. A goal
/// declared but never reached says the simulator is not exercising what we think it is; the sweep summary
/// lists such goals. Goals are counted in a sorted map, so reports list them in the same order every run.
/// </summary>
public sealed class Coverage
{
    /// <summary>Distinct goals at most: a goal name built from run data (an epoch, a node id) would grow without bound.</summary>
    public const int GoalsMax = 1_000;

    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Names a goal so it is reported even when it is never reached.</summary>
    public void Declare(string goal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(goal);
        if (_counts.ContainsKey(goal)) return;
        if (_counts.Count >= GoalsMax) throw new InvalidOperationException($"more than {GoalsMax} coverage goals: is a goal name built from run data?");
        _counts[goal] = 0;
    }

    /// <summary>Counts one occurrence of a goal (declaring it if needed).</summary>
    public void Reached(string goal)
    {
        Declare(goal);
        _counts[goal]++;
    }

    public long Count(string goal) => _counts.TryGetValue(goal, out long count) ? count : 0;

    public bool IsDeclared(string goal) => _counts.ContainsKey(goal);

    public CoverageReport Report() => new(_counts.Select(c => new CoverageGoal(c.Key, c.Value)).ToList());
}

/// <summary>One goal and how many times a run reached it.</summary>
public readonly record struct CoverageGoal(string Name, long Count);

/// <summary>A run's goals in name order.</summary>
public sealed record CoverageReport(IReadOnlyList<CoverageGoal> Goals)
{
    public IEnumerable<string> Unreached => Goals.Where(g => g.Count == 0).Select(g => g.Name);

    public long Count(string goal) => Goals.FirstOrDefault(g => g.Name == goal).Count;
}

/// <summary>
/// Goals across a sweep: for each, in how many runs it was reached and how often in all. A goal no run
/// reached is the sweep's finding even when every run passed.
/// </summary>
public sealed class CoverageTally
{
    private readonly SortedDictionary<string, (long Runs, long Count)> _goals = new(StringComparer.Ordinal);

    public int RunsAdded { get; private set; }

    public void Add(CoverageReport report)
    {
        RunsAdded++;
        foreach (CoverageGoal goal in report.Goals)
        {
            (long runs, long count) = _goals.GetValueOrDefault(goal.Name);
            _goals[goal.Name] = (runs + (goal.Count > 0 ? 1 : 0), count + goal.Count);
        }
    }

    public IReadOnlyList<(string Goal, long RunsReached, long Count)> Goals =>
        _goals.Select(g => (g.Key, g.Value.Runs, g.Value.Count)).ToList();

    public IEnumerable<string> NeverReached => _goals.Where(g => g.Value.Runs == 0).Select(g => g.Key);
}

/// <summary>Goal names with a meaning outside one monitor: the simulator's own, and those summaries read.</summary>
public static class CoverageGoals
{
    /// <summary>
    /// Counted by whichever monitor observes leadership (spec/'s Raft monitors); the `kraft sim` summary
    /// prints it as "leader changes".
    /// </summary>
    public const string LeaderChange = "raft.leader-change";

    public const string NodeCrashed = "sim.node-crashed";
    public const string CrashMidStep = "sim.crash-mid-step";
    public const string NodeRestarted = "sim.node-restarted";
    public const string RestartEmptyDisk = "sim.restart-empty-disk";

    /// <summary>A voter restarted on a replaced (re-formatted) disk: from then on it must act as an observer (KIP-853).</summary>
    public const string VoterDiskReplaced = "sim.voter-disk-replaced";
    public const string TornWrite = "sim.torn-write";
    public const string RecoveryCut = "sim.recovery-cut";
    public const string SectorCorrupted = "sim.sector-corrupted";
    public const string CorruptionDetectedOnRead = "sim.corruption-detected-on-read";
    public const string MessageLost = "sim.message-lost";
    public const string MessageDuplicated = "sim.message-duplicated";
    public const string MessageReordered = "sim.message-reordered";
    public const string Partition = "sim.partition";
    public const string OneWayPartition = "sim.one-way-partition";
    public const string LinkClogged = "sim.link-clogged";
    public const string RequestTimedOut = "sim.request-timed-out";
}
