using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Exploration;

/// <summary>The clients an explored run has: none, the metadata proposals, the data plane's producers and consumer, or both.</summary>
public enum ExplorationWorkload
{
    /// <summary>No clients: elections and metadata fetches only.</summary>
    None,

    /// <summary>Metadata-proposal clients (topic creation on the controllers): the Raft exhibits' workload.</summary>
    Metadata,

    /// <summary>The simulator's data workload (`kraft sim --workload produce`): producers with acks 1 or all, idempotent or not, a consumer, offset commits.</summary>
    Data,

    /// <summary>Both, as `kraft sim --workload all`.</summary>
    All,
}

/// <summary>The workloads' names on the command line (`kraft explore --workload`) and the fresh workload each iteration runs.</summary>
public static class ExplorationWorkloads
{
    public static IReadOnlyList<string> Names { get; } = ["none", "metadata", "data", "all"];

    public static string Name(ExplorationWorkload workload) => Names[(int)workload];

    /// <summary>Reads a name; "produce", `kraft sim`'s name for the data workload, is taken too.</summary>
    public static bool TryParse(string name, out ExplorationWorkload workload)
    {
        int index = name == Workloads.Produce ? (int)ExplorationWorkload.Data : Names.ToList().IndexOf(name);
        workload = index < 0 ? ExplorationWorkload.None : (ExplorationWorkload)index;
        return index >= 0;
    }

    /// <summary>
    /// A fresh workload for one iteration (workloads remember their run), the same `kraft sim` builds for the
    /// name, so the trace header names it as a simulator trace would; null for none.
    /// </summary>
    public static IWorkload? Create(ExplorationWorkload workload, DataWorkloadOptions? data = null) => workload switch
    {
        ExplorationWorkload.None => null,
        ExplorationWorkload.Metadata => Workloads.Create(Workloads.Metadata),
        ExplorationWorkload.Data => Workloads.Create(Workloads.Produce, data),
        ExplorationWorkload.All => Workloads.Create(Workloads.All, data),
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, "no such workload"),
    };
}
