using Reference.Broker.Storage;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Tests.Storage;

public sealed class StorageCommandsTests
{
    private static string WriteConfig(TemporaryDirectory directory, string logDirs, string? metadataDir = null)
    {
        string path = directory.Combine("server.properties");
        File.WriteAllText(path, $"""
            process.roles=broker,controller
            node.id=7
            controller.quorum.voters=7@localhost:9093
            listeners=PLAINTEXT://:9092,CONTROLLER://:9093
            controller.listener.names=CONTROLLER
            log.dirs={logDirs}
            {(metadataDir is null ? "" : "metadata.log.dir=" + metadataDir)}
            """);
        return path;
    }

    [Fact]
    public void RandomUuidsAre22UrlSafeCharactersThatParseBack()
    {
        for (int i = 0; i < 200; i++)
        {
            string id = StorageCommands.RandomUuid();
            Assert.Equal(22, id.Length);
            Assert.DoesNotContain('+', id);
            Assert.DoesNotContain('/', id);
            Assert.False(id.StartsWith('-'));
            Assert.True(Uuid.TryParse(id, out _));
        }
    }

    [Fact]
    public void FormatWritesMetaPropertiesInEveryDirectoryAndSaysWhichIsWhich()
    {
        using var directory = new TemporaryDirectory();
        string data = directory.Combine("data"), metadata = directory.Combine("meta");
        string config = WriteConfig(directory, data, metadata);
        string clusterId = StorageCommands.RandomUuid();
        var output = new StringWriter();
        Assert.Equal(0, StorageCommands.Format(new FormatOptions(config, clusterId), output, new StringWriter()));
        Assert.Equal($"Formatting data directory {data} with metadata.version 3.9-IV0.\nFormatting metadata directory {metadata} with metadata.version 3.9-IV0.\n",
            output.ToString().Replace("\r\n", "\n"));
        foreach (string formatted in new[] { data, metadata })
        {
            MetaProperties meta = MetaProperties.ReadFrom(formatted).Properties!;
            Assert.Equal((clusterId, 7), (meta.ClusterId, meta.NodeId));
            Assert.NotEqual(Uuid.Zero, meta.DirectoryId);
        }
        Assert.NotEqual(MetaProperties.ReadFrom(data).Properties!.DirectoryId, MetaProperties.ReadFrom(metadata).Properties!.DirectoryId);
    }

    [Fact]
    public void MetaPropertiesIsAJavaPropertiesFileWithADateComment()
    {
        var meta = new MetaProperties("abcdefghijklmnopqrstuv", 1, new Uuid(1, 2));
        string text = meta.ToText(new DateTime(2026, 11, 22, 1, 30, 0, DateTimeKind.Utc));
        Assert.Equal("#\n#Sun Nov 22 01:30:00 UTC 2026\ncluster.id=abcdefghijklmnopqrstuv\ndirectory.id=AAAAAAAAAAEAAAAAAAAAAg\nnode.id=1\nversion=1\n", text);
        using var directory = new TemporaryDirectory();
        meta.WriteTo(directory.Path);
        Assert.Equal(meta, MetaProperties.ReadFrom(directory.Path).Properties);
    }

    [Fact]
    public void FormattingAFormattedDirectoryFailsUnlessToldToIgnoreIt()
    {
        using var directory = new TemporaryDirectory();
        string data = directory.Combine("data");
        string config = WriteConfig(directory, data);
        string clusterId = StorageCommands.RandomUuid();
        StorageCommands.Format(new FormatOptions(config, clusterId), new StringWriter(), new StringWriter());
        var error = new StringWriter();
        Assert.Equal(1, StorageCommands.Format(new FormatOptions(config, clusterId), new StringWriter(), error));
        Assert.Equal($"Log directory {data} is already formatted. Use --ignore-formatted to ignore this directory and format the others.", error.ToString().Trim());
        var output = new StringWriter();
        Assert.Equal(0, StorageCommands.Format(new FormatOptions(config, clusterId, IgnoreFormatted: true), output, new StringWriter()));
        Assert.Equal("All of the log directories are already formatted.", output.ToString().Trim());
    }

    [Fact]
    public void ABadClusterIdOrConfigIsRefusedBeforeAnythingIsWritten()
    {
        using var directory = new TemporaryDirectory();
        string data = directory.Combine("data");
        string config = WriteConfig(directory, data);
        var error = new StringWriter();
        Assert.Equal(1, StorageCommands.Format(new FormatOptions(config, "not-a-uuid"), new StringWriter(), error));
        Assert.Contains("does not appear to be a valid UUID", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, StorageCommands.Format(new FormatOptions(directory.Combine("missing.properties"), StorageCommands.RandomUuid()), new StringWriter(), new StringWriter()));
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public void InfoShowsWhatIsFoundAndFailsOnAnUnformattedDirectory()
    {
        using var directory = new TemporaryDirectory();
        string data = directory.Combine("data");
        string config = WriteConfig(directory, data);
        var output = new StringWriter();
        Assert.Equal(1, StorageCommands.Info(config, output, new StringWriter()));
        Assert.Contains("Found problem:", output.ToString(), StringComparison.Ordinal);

        string clusterId = StorageCommands.RandomUuid();
        StorageCommands.Format(new FormatOptions(config, clusterId), new StringWriter(), new StringWriter());
        output = new StringWriter();
        Assert.Equal(0, StorageCommands.Info(config, output, new StringWriter()));
        string[] lines = output.ToString().Replace("\r\n", "\n").Split('\n');
        Assert.Equal(["Found log directory:", $"  {data}", ""], lines[..3]);
        Assert.StartsWith($"Found metadata: {{cluster.id={clusterId}, directory.id=", lines[3], StringComparison.Ordinal);
        Assert.EndsWith(", node.id=7, version=1}", lines[3], StringComparison.Ordinal);
    }
}
