using System.Security.Cryptography;
using Reference.Broker.Config;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Storage;

/// <summary>What <c>kraft storage format</c> is asked to do (Kafka's kafka-storage.sh flags).</summary>
/// <param name="ConfigPath">-c / --config: the server.properties whose log.dirs and metadata.log.dir are formatted.</param>
/// <param name="ClusterId">-t / --cluster-id: from <c>kraft storage random-uuid</c>.</param>
/// <param name="IgnoreFormatted">-g / --ignore-formatted: skip directories that already have meta.properties.</param>
/// <param name="Standalone">-s / --standalone: accepted; with a static quorum (controller.quorum.voters) there is no voter set to write.</param>
public sealed record FormatOptions(string ConfigPath, string ClusterId, bool IgnoreFormatted = false, bool Standalone = false);

/// <summary>
/// Kafka's <c>kafka-storage.sh</c> verbs, for the CLI to call: each writes Kafka's messages to the writers it
/// is given and returns the process exit code (0 success, 1 failure).
/// </summary>
public static class StorageCommands
{
    /// <summary>The metadata.version a formatted directory is announced with (Kafka 3.9's latest production level).</summary>
    public const string MetadataVersion = "3.9-IV0";

    /// <summary>
    /// A new cluster id: 16 random bytes as a version-4 UUID, printed as 22 characters of URL-safe base64.
    /// Like Kafka's Uuid.randomUuid, never the reserved ids and never one starting with '-', which a command
    /// line would take for a flag.
    /// </summary>
    public static string RandomUuid() => NewRandomUuid().ToString();

    internal static Uuid NewRandomUuid()
    {
        Span<byte> bytes = stackalloc byte[Uuid.SizeBytes];
        const int attemptsMax = 1000; // a reserved id or a leading '-' comes up once in 64 draws
        for (int attempt = 0; attempt < attemptsMax; attempt++)
        {
            RandomNumberGenerator.Fill(bytes);
            Uuid uuid = Uuid.FromRandomBytes(bytes);
            if (uuid != Uuid.Zero && uuid != Uuid.MetadataTopicId && !uuid.ToString().StartsWith('-')) return uuid;
        }
        throw new InvalidOperationException("the system's random generator keeps returning reserved ids");
    }

    public static int Format(FormatOptions options, TextWriter output, TextWriter error)
    {
        ConfigParseResult parsed = BrokerConfigParser.ParseFile(options.ConfigPath);
        if (!parsed.IsSuccess) return Fail(error, parsed.Errors);
        if (!Uuid.TryParse(options.ClusterId, out _))
            return Fail(error, [$"Cluster ID string {options.ClusterId} does not appear to be a valid UUID: use the 22 characters 'kraft storage random-uuid' prints."]);
        BrokerConfig config = parsed.Config!;
        if (options.Standalone)
            output.WriteLine("--standalone: this node's quorum is the static controller.quorum.voters, so there is no voter set to write.");

        var unformatted = new List<string>();
        foreach (string directory in config.AllDirectories)
        {
            if (!File.Exists(MetaProperties.PathIn(directory))) unformatted.Add(directory);
            else if (!options.IgnoreFormatted)
                return Fail(error, [$"Log directory {directory} is already formatted. Use --ignore-formatted to ignore this directory and format the others."]);
        }
        if (unformatted.Count == 0)
        {
            output.WriteLine("All of the log directories are already formatted.");
            return 0;
        }
        try
        {
            WriteMetaProperties(config, options.ClusterId, unformatted, output);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            return Fail(error, [$"Formatting failed: {failure.Message}"]);
        }
        return 0;
    }

    /// <summary>Formats the directories of a configuration that has none yet (the built-in default's first start).</summary>
    internal static void FormatFresh(BrokerConfig config, string clusterId, TextWriter output) =>
        WriteMetaProperties(config, clusterId, config.AllDirectories.Where(d => !File.Exists(MetaProperties.PathIn(d))).ToList(), output);

    /// <summary>
    /// Kafka's <c>storage info</c>: what each directory of the configuration holds. Exit code 1 when a
    /// directory is missing, unformatted, or disagrees with the others about the cluster or node.
    /// </summary>
    public static int Info(string configPath, TextWriter output, TextWriter error)
    {
        ConfigParseResult parsed = BrokerConfigParser.ParseFile(configPath);
        if (!parsed.IsSuccess) return Fail(error, parsed.Errors);
        IReadOnlyList<string> directories = parsed.Config!.AllDirectories;
        var found = new List<(string Directory, MetaProperties Properties)>();
        var problems = new List<string>();
        foreach (string directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                problems.Add($"{directory} does not exist.");
                continue;
            }
            MetaPropertiesRead read = MetaProperties.ReadFrom(directory);
            if (read.Properties is null) problems.Add($"{read.Problem}.");
            else found.Add((directory, read.Properties));
        }
        foreach ((string directory, MetaProperties properties) in found.Skip(1))
            if (properties.ClusterId != found[0].Properties.ClusterId || properties.NodeId != found[0].Properties.NodeId)
                problems.Add($"{directory} belongs to cluster {properties.ClusterId} node {properties.NodeId}, but {found[0].Directory} to cluster {found[0].Properties.ClusterId} node {found[0].Properties.NodeId}.");

        output.WriteLine(directories.Count == 1 ? "Found log directory:" : "Found log directories:");
        foreach (string directory in directories) output.WriteLine($"  {directory}");
        output.WriteLine();
        foreach ((string directory, MetaProperties properties) in found)
            output.WriteLine(found.Count == 1 ? $"Found metadata: {properties}" : $"Found metadata in {directory}: {properties}");
        if (found.Count > 0) output.WriteLine();
        if (problems.Count == 0) return 0;
        output.WriteLine(problems.Count == 1 ? "Found problem:" : "Found problems:");
        foreach (string problem in problems) output.WriteLine($"  {problem}");
        output.WriteLine();
        return 1;
    }

    private static void WriteMetaProperties(BrokerConfig config, string clusterId, List<string> directories, TextWriter output)
    {
        foreach (string directory in directories)
        {
            string kind = directory == config.MetadataDirectory ? "metadata" : "data";
            output.WriteLine($"Formatting {kind} directory {directory} with metadata.version {MetadataVersion}.");
            Directory.CreateDirectory(directory);
            new MetaProperties(clusterId, config.Node.NodeId, NewRandomUuid()).WriteTo(directory);
        }
    }

    private static int Fail(TextWriter error, IEnumerable<string> messages)
    {
        foreach (string message in messages) error.WriteLine(message);
        return 1;
    }
}
