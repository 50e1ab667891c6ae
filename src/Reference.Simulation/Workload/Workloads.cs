using Reference.Simulation.Workload.Data;

namespace Reference.Simulation.Workload;

/// <summary>The workloads `kraft sim --workload` offers, by name.</summary>
public static class Workloads
{
    public const string Metadata = "metadata";
    public const string Produce = "produce";
    public const string All = "all";

    public static IReadOnlyList<string> Names { get; } = [Metadata, Produce, All];

    /// <summary>
    /// A fresh workload for one run (workloads remember the run). "all" runs both: metadata proposals keep the
    /// controller busy with appends while the data clients produce, consume and commit.
    /// </summary>
    public static IWorkload Create(string name, DataWorkloadOptions? data = null) => name switch
    {
        Metadata => new MetadataProposalWorkload(),
        Produce => new DataWorkload(data),
        All => new CompositeWorkload(new MetadataProposalWorkload(), new DataWorkload(data)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"a workload is one of {string.Join(", ", Names)}"),
    };
}
