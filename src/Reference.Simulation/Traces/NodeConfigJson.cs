using System.Text.Json;
using Reference.Core.Node;

namespace Reference.Simulation.Traces;

/// <summary>
/// A node's whole configuration as one line of JSON, for traces that replay a node whose configuration the
/// simulator did not build (a real broker's, from its server.properties). Replay checks what it reads back
/// against the recorded digest (<see cref="Cluster.NodeConfigDigest"/>), so a property that does not survive
/// the round trip shows as a refused replay, not as a silent difference.
/// </summary>
public static class NodeConfigJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static string Write(NodeConfig config) => JsonSerializer.Serialize(config, Options);

    public static NodeConfig Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeConfig>(json, Options) ?? throw new TraceFormatException("a node configuration is null");
        }
        catch (JsonException error)
        {
            throw new TraceFormatException($"a node configuration does not read: {error.Message}");
        }
    }

    /// <summary>The digest a trace records for a configuration (the same one the simulator writes).</summary>
    public static string Digest(NodeConfig config) => Cluster.NodeConfigDigest.Of(config);
}
