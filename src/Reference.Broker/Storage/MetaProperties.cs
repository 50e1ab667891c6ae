using System.Globalization;
using System.Text;
using Reference.Broker.Config;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Storage;

/// <summary>
/// A formatted directory's identity, <c>meta.properties</c> (Kafka's v1, KRaft): which cluster and node it
/// belongs to, and the directory's own id. A node refuses to start on a directory of another cluster or
/// node, so a disk moved between machines or a typo in <c>log.dirs</c> cannot mix two clusters' data.
/// </summary>
public sealed record MetaProperties(string ClusterId, int NodeId, Uuid DirectoryId)
{
    public const string FileName = "meta.properties";

    /// <summary>Version 1 is KRaft's (version 0, with broker.id, was ZooKeeper's).</summary>
    public const int Version = 1;

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public string ToText(DateTime writtenAtUtc) => JavaProperties.Write(
        [
            new("cluster.id", ClusterId),
            new("directory.id", DirectoryId.ToString()),
            new("node.id", NodeId.ToString(CultureInfo.InvariantCulture)),
            new("version", Version.ToString(CultureInfo.InvariantCulture)),
        ],
        ["", writtenAtUtc.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture)]);

    public void WriteTo(string directory) =>
        DurableFile.WriteAtomically(PathIn(directory), Encoding.UTF8.GetBytes(ToText(DateTime.UtcNow)));

    /// <summary>Reads a directory's meta.properties: the properties, or a one-line reason there are none.</summary>
    public static MetaPropertiesRead ReadFrom(string directory)
    {
        string path = PathIn(directory);
        if (!File.Exists(path)) return new MetaPropertiesRead(null, $"{directory} is not formatted: it has no {FileName}");
        IReadOnlyList<PropertyEntry> entries;
        try
        {
            entries = JavaProperties.Parse(File.ReadAllText(path));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException)
        {
            return new MetaPropertiesRead(null, $"cannot read {path}: {error.Message}");
        }
        return Interpret(path, entries.ToDictionary(e => e.Key, e => e.Value.Trim(), StringComparer.Ordinal));
    }

    private static MetaPropertiesRead Interpret(string path, Dictionary<string, string> values)
    {
        if (!values.TryGetValue("version", out string? version) || version != "1")
            return new MetaPropertiesRead(null, $"{path} has version {version ?? "(none)"}; a KRaft node needs version 1");
        if (!values.TryGetValue("cluster.id", out string? clusterId) || clusterId.Length == 0)
            return new MetaPropertiesRead(null, $"{path} has no cluster.id");
        if (!values.TryGetValue("node.id", out string? nodeIdText)
            || !int.TryParse(nodeIdText, NumberStyles.None, CultureInfo.InvariantCulture, out int nodeId))
            return new MetaPropertiesRead(null, $"{path} has no valid node.id");
        Uuid directoryId = Uuid.Zero;
        if (values.TryGetValue("directory.id", out string? directoryIdText) && !Uuid.TryParse(directoryIdText, out directoryId))
            return new MetaPropertiesRead(null, $"{path} has a malformed directory.id '{directoryIdText}'");
        return new MetaPropertiesRead(new MetaProperties(clusterId, nodeId, directoryId), null);
    }

    /// <summary>How Kafka's <c>storage info</c> prints it.</summary>
    public override string ToString() =>
        $"{{cluster.id={ClusterId}, directory.id={DirectoryId}, node.id={NodeId}, version={Version}}}";
}

/// <summary>Either the properties or why there are none.</summary>
public readonly record struct MetaPropertiesRead(MetaProperties? Properties, string? Problem);
