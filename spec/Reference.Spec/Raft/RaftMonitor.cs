using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// A Raft invariant over <see cref="RaftObservation"/>s. The simulator calls <see cref="Check(ClusterView)"/>
/// after every event; tests call <see cref="Check(RaftObservation, Coverage)"/> with crafted states. A
/// monitor keeps what it must remember between events (the leader of each epoch, each node's last high
/// watermark), so one instance watches one run.
/// </summary>
public abstract class RaftMonitor : SafetyMonitor
{
    public sealed override MonitorViolation? Check(ClusterView view) => Check(RaftObservation.Of(view), view.Coverage);

    /// <summary>Checks one observation, the next in the run's order; a violation, or null when the property holds.</summary>
    public abstract MonitorViolation? Check(RaftObservation observation, Coverage coverage);

    protected static MonitorViolation Violation(string message) => new(message);
}
