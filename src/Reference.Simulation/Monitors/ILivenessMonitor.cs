namespace Reference.Simulation.Monitors;

/// <summary>Coyote's monitor temperatures: hot while something the system owes is still owed, cold once it is done.</summary>
public enum Temperature
{
    Cold,
    Hot,
}

/// <summary>
/// A liveness property in the manner of Coyote's monitors: after every event it says whether the cluster
/// still owes something (hot) or not (cold). A property is violated when it stays hot for too long on a
/// fair schedule: in an explored run's fair suffix (<see cref="Scheduling.ExplorationControl"/>), where
/// every pending event is eventually taken and no fault is injected. Outside a fair suffix it is not
/// judged: an adversarial scheduler can always starve a cluster.
/// </summary>
public interface ILivenessMonitor
{
    string Name { get; }

    Temperature Observe(ClusterView view);
}
