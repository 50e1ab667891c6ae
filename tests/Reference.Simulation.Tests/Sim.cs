using Reference.Simulation.Monitors;
using Reference.Simulation.Traces;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Tests;

/// <summary>One simulated run with its trace captured as text.</summary>
internal sealed record SimRun(SimulationResult Result, SimulatedCluster Cluster, string Trace)
{
    public static SimRun Of(SimulationOptions options, NodeImplementation node, IReadOnlyList<IMonitor>? monitors = null, IWorkload? workload = null)
    {
        var text = new StringWriter();
        var cluster = new SimulatedCluster(options, node, monitors, workload, new TraceWriter(text));
        SimulationResult result = cluster.Run();
        return new SimRun(result, cluster, text.ToString());
    }

    public TraceDocument Document => TraceReader.Read(new StringReader(Trace));

    /// <summary>The seed and outcome, for assertion messages that say how to reproduce a failure.</summary>
    public string Describe => $"seed {Result.Seed}: {Result.Outcome} ({Result.Events} events, stop {Result.Stop}, faults {Result.Faults})";
}
