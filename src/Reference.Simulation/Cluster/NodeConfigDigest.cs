using System.Collections;
using System.Globalization;
using System.Reflection;
using Reference.Core.Node;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Cluster;

/// <summary>
/// A digest of a node's configuration, every property by name, lists element by element, so a trace can
/// say which configuration its nodes ran with and replay can refuse to compare against different ones.
/// <see cref="NodeConfig.ReintroducedBugs"/> is left out while it is None.
/// </summary>
internal static class NodeConfigDigest
{
    public static string Of(NodeConfig config)
    {
        IEnumerable<string> fields = typeof(NodeConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            // The museum's switches count only when some are on, so configurations (and traces) from before they existed keep their digests.
            .Where(p => p.Name != nameof(NodeConfig.ReintroducedBugs) || config.ReintroducedBugs != ReintroducedBugs.None)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={Render(p.GetValue(config))}");
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
