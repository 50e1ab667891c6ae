using Reference.Core.Node;

namespace Reference.Exploration.Museum;

/// <summary>
/// One exhibit: a historical flaw (a <see cref="ReintroducedBugs"/> switch), the cluster and budget the
/// explorer finds it within, and the strategy that does. <see cref="InCore"/> is false for a switch this
/// build's core does not read yet (another room's work): it is listed, never run.
/// </summary>
public sealed record MuseumBug(ReintroducedBugs Switch, string Story, bool InCore, int Voters, string Strategy, int Iterations, int StepsMax,
    int CrashesMax, int DropsMax, int PartitionsMax, long FairSuffixMs, ExplorationWorkload Workload, string ExpectedViolation, int WipesMax = 0, ulong Seed = 1,
    int KillsMax = 0, short? DataReplicationFactor = null, int? MetadataMaxIdleIntervalMs = null, int? DataMinInsyncReplicas = null, int IsolationsMax = 0, long IsolationMs = 15_000)
{
    /// <summary>The switch's name, as `--bug` and the trace write it (<see cref="ReintroducedBugNames"/>).</summary>
    public string Name => ReintroducedBugNames.Format(Switch);

    /// <summary>The campaign that finds it, with its switch on.</summary>
    public ExplorationOptions Options() => new()
    {
        Seed = Seed,
        Voters = Voters,
        Iterations = Iterations,
        StepsMax = StepsMax,
        CrashesMax = CrashesMax,
        WipesMax = WipesMax,
        KillsMax = KillsMax,
        IsolationsMax = IsolationsMax,
        IsolationMs = IsolationMs,
        DataReplicationFactor = DataReplicationFactor,
        DataMinInsyncReplicas = DataMinInsyncReplicas,
        DropsMax = DropsMax,
        PartitionsMax = PartitionsMax,
        FairSuffixMs = FairSuffixMs,
        Workload = Workload,
        Bugs = Switch,
        MetadataMaxIdleIntervalMs = MetadataMaxIdleIntervalMs,
    };
}
