using System.Collections;
using System.Globalization;
using System.Reflection;
using Reference.Core.Node;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Cluster;

/// <summary>
/// A digest of a node's configuration, by property name, lists element by element, so a trace can say
/// which configuration its nodes ran with and replay can refuse to compare against different ones. The
/// required properties always count; the others only where they differ from NodeConfig's defaults, so a
/// new setting added with a default leaves the digests of recorded traces as they were.
/// </summary>
internal static class NodeConfigDigest
{
    public static string Of(NodeConfig config)
    {
        var defaults = new NodeConfig
        {
            NodeId = config.NodeId,
            ClusterId = config.ClusterId,
            Voters = config.Voters,
            AdvertisedBrokerEndpoints = config.AdvertisedBrokerEndpoints,
        };
        IEnumerable<string> fields = typeof(NodeConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            // The bug switches count only when one is on, so traces written before they existed keep their digests.
            .Where(p => p.Name != nameof(NodeConfig.ReintroducedBugs) || config.ReintroducedBugs != ReintroducedBugs.None)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => (p.Name, Value: Render(p.GetValue(config)), Default: Render(p.GetValue(defaults))))
            .Where(p => p.Value != p.Default || p.Name is nameof(NodeConfig.NodeId) or nameof(NodeConfig.ClusterId)
                or nameof(NodeConfig.Voters) or nameof(NodeConfig.AdvertisedBrokerEndpoints))
            .Select(p => $"{p.Name}={p.Value}");
        return StableHash.Fnv1a64(string.Join(";", fields)).ToString("x16", CultureInfo.InvariantCulture);
    }

    private static string Render(object? value) => value switch
    {
        null => "null",
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(Render)) + "]",
        _ => value.ToString() ?? "",
    };
}
