namespace Reference.Simulation.Monitors;

/// <summary>
/// A property checked after every event of a run (a safety invariant), in the simulator, in trace replay
/// and, later, in the explorer. It looks and never touches: the view is the cluster as the event left it.
/// spec/ implements the Raft, controller and data-plane invariants with it; a monitor may also count
/// "sometimes" goals through <see cref="ClusterView.Coverage"/>.
/// </summary>
public interface IMonitor
{
    /// <summary>The invariant's name, after its source where it has one (SingleLeader, MonotonicHighWatermark).</summary>
    string Name { get; }

    /// <summary>The goals this monitor counts, declared before the run so an unreached one is reported.</summary>
    IReadOnlyList<string> SometimesGoals => [];

    /// <summary>Checks the cluster after an event: a violation, or null when the property holds.</summary>
    MonitorViolation? Check(ClusterView view);
}

/// <summary>What a monitor found wrong, in one line a reader can act on (which node, which epoch, which offset).</summary>
public sealed record MonitorViolation(string Message);
