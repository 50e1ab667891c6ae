using System.Globalization;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// Several real brokers as one cluster on 127.0.0.1: every node combined (broker and controller) unless
/// started with separate roles, each in its own temp directory with its own ports, all naming the same
/// voters and formatted with one cluster id. They start together, since none can elect a quorum leader
/// alone, and count as up once each broker lists itself in Metadata (a controller-only node once its
/// controller port accepts). Each node can be killed and restarted like a <see cref="KraftBroker"/>.
/// </summary>
public sealed class KraftCluster : IAsyncDisposable
{
    private KraftCluster(IReadOnlyList<KraftBroker> brokers) => Brokers = brokers;

    /// <summary>The nodes in id order: node N is Brokers[N - 1].</summary>
    public IReadOnlyList<KraftBroker> Brokers { get; }

    public KraftBroker this[int nodeId] => Brokers[nodeId - 1];

    /// <summary>Every client listener, as a bootstrap list (controller-only nodes have none).</summary>
    public string BootstrapServers => string.Join(",", Brokers.Where(b => b.Properties.IsBroker).Select(b => b.BootstrapServer));

    /// <param name="extraLines">Settings every node gets on top of the single-node ones (shorter timeouts, say).</param>
    public static Task<KraftCluster> StartAsync(int nodeCount, IReadOnlyList<string>? extraLines = null) =>
        StartAsync(Enumerable.Repeat("broker,controller", nodeCount).ToList(), extraLines);

    /// <summary>
    /// A cluster whose node N has the process.roles <paramref name="roles"/>[N - 1]; the nodes with the
    /// controller role are the voters, the others reach them through controller.quorum.voters.
    /// </summary>
    public static async Task<KraftCluster> StartAsync(IReadOnlyList<string> roles, IReadOnlyList<string>? extraLines = null)
    {
        int nodeCount = roles.Count;
        IReadOnlyList<int> ports = FreePorts.Take(2 * nodeCount);
        string voters = string.Join(",", Enumerable.Range(1, nodeCount).Where(id => roles[id - 1].Split(',').Contains("controller"))
            .Select(id => $"{id.ToString(CultureInfo.InvariantCulture)}@127.0.0.1:{ports[2 * id - 1].ToString(CultureInfo.InvariantCulture)}"));
        string clusterId = await KraftBroker.RandomClusterIdAsync();
        var brokers = new List<KraftBroker>();
        try
        {
            for (int id = 1; id <= nodeCount; id++)
            {
                int nodeId = id;
                brokers.Add(await KraftBroker.FormatAsync(clusterId, directory => new ServerProperties(nodeId, ports[2 * nodeId - 2], ports[2 * nodeId - 1],
                    Path.Combine(directory, "kraft-combined-logs"), voters, extraLines, roles[nodeId - 1])));
            }
            await Task.WhenAll(brokers.Select(b => b.StartProcessAsync()));
            return new KraftCluster(brokers);
        }
        catch
        {
            foreach (KraftBroker broker in brokers) await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every node's setup and runs, for failure reports.</summary>
    public string Log(int tailLinesPerRun = 100) =>
        string.Join("\n", Brokers.Select(b => $"===== node {b.NodeId} =====\n{b.Log(tailLinesPerRun)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (KraftBroker broker in Brokers) await broker.DisposeAsync();
    }
}
