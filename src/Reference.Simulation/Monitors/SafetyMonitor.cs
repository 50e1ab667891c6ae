namespace Reference.Simulation.Monitors;

/// <summary>
/// An <see cref="IMonitor"/> as a class, which the simulator calls after every event through a virtual slot.
/// The explorer checks a dozen monitor types after each event from one call site, and a call through the
/// interface there met too many types for the runtime's dispatch cache and fell to its hashed resolve stub
/// every time (3% of the explorer's profile); a class's virtual call is a plain table lookup. spec/'s
/// RaftMonitor and DataMonitor derive from it; a monitor that implements only <see cref="IMonitor"/> (a toy,
/// a test's) is checked through <see cref="ForChecks"/>'s adapter, unchanged.
/// </summary>
public abstract class SafetyMonitor : IMonitor
{
    public abstract string Name { get; }

    public virtual IReadOnlyList<string> SometimesGoals => [];

    public abstract MonitorViolation? Check(ClusterView view);

    /// <summary>The monitors in their order, each as a class: itself when it is one, an adapter otherwise.</summary>
    public static SafetyMonitor[] ForChecks(IReadOnlyList<IMonitor> monitors)
    {
        var checks = new SafetyMonitor[monitors.Count];
        for (int i = 0; i < checks.Length; i++) checks[i] = monitors[i] as SafetyMonitor ?? new InterfaceMonitor(monitors[i]);
        return checks;
    }

    /// <summary>Checks a monitor that implements only the interface, through it.</summary>
    private sealed class InterfaceMonitor(IMonitor monitor) : SafetyMonitor
    {
        public override string Name => monitor.Name;

        public override IReadOnlyList<string> SometimesGoals => monitor.SometimesGoals;

        public override MonitorViolation? Check(ClusterView view) => monitor.Check(view);
    }
}
