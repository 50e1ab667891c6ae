using Reference.Broker.Hosting;
using Reference.Broker.Storage;
using Reference.Broker.Tests.Network;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Tests.Hosting;

/// <summary>
/// What a broker checks of its directories' identity (meta.properties) before its core starts, and the one
/// thing it hands the core from it: the metadata directory's directory.id, which KIP-853 names a voter by.
/// </summary>
public sealed class StorageIdentityAtStartTests
{
    private static BrokerOptions Options(string? configPath, StringWriter errors, Core.Node.NodeFactory factory, string? defaultDataDirectory = null) => new()
    {
        ConfigPath = configPath,
        DefaultDataDirectory = defaultDataDirectory,
        Output = new StringWriter(),
        Error = errors,
        HandleSignals = false,
        NodeFactory = factory,
    };

    [Fact]
    public async Task TheCoreReadsTheMetadataDirectorysIdAsItsStorageIdentity()
    {
        using var directory = new TemporaryDirectory();
        string config = TestBroker.WriteConfig(directory, "", "1@127.0.0.1:1");
        Assert.Equal(0, StorageCommands.Format(new FormatOptions(config, StorageCommands.RandomUuid()), new StringWriter(), new StringWriter()));
        Uuid formatted = MetaProperties.ReadFrom(directory.Combine("data")).Properties!.DirectoryId;
        Uuid seen = Uuid.Zero;
        var errors = new StringWriter();

        RunningBroker? broker = await BrokerHost.StartAsync(Options(config, errors, (_, storage, _, _) =>
        {
            seen = storage.DirectoryId;
            return new TestDoubleNode();
        }));

        Assert.True(broker is not null, errors.ToString());
        Assert.NotEqual(Uuid.Zero, formatted);
        Assert.Equal(formatted, seen);
        Assert.Equal(0, await broker!.StopAsync());
    }

    [Fact]
    public async Task DataWithoutMetaPropertiesIsNeitherStartedNorFormattedOver()
    {
        using var directory = new TemporaryDirectory();
        string config = TestBroker.WriteConfig(directory, "", "1@127.0.0.1:1");
        Assert.Equal(0, StorageCommands.Format(new FormatOptions(config, StorageCommands.RandomUuid()), new StringWriter(), new StringWriter()));
        string data = directory.Combine("data");
        Directory.CreateDirectory(Path.Combine(data, "orders-0"));
        File.Delete(MetaProperties.PathIn(data));

        foreach (string? configPath in new[] { config, null })
        {
            var errors = new StringWriter();
            bool built = false;
            RunningBroker? broker = await BrokerHost.StartAsync(Options(configPath, errors, (_, _, _, _) =>
            {
                built = true;
                return new TestDoubleNode();
            }, defaultDataDirectory: data));

            Assert.Null(broker);
            Assert.False(built);
            string message = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"{data} holds data but no meta.properties", message, StringComparison.Ordinal);
            Assert.False(File.Exists(MetaProperties.PathIn(data)), "the built-in configuration formatted over existing data");
        }
    }

    [Fact]
    public async Task DirectoriesFormattedForTwoClustersAreRefused()
    {
        using var directory = new TemporaryDirectory();
        string config = TestBroker.WriteConfig(directory, $"metadata.log.dir={directory.Combine("meta")}", "1@127.0.0.1:1");
        Assert.Equal(0, StorageCommands.Format(new FormatOptions(config, StorageCommands.RandomUuid()), new StringWriter(), new StringWriter()));
        string meta = directory.Combine("meta");
        MetaProperties original = MetaProperties.ReadFrom(meta).Properties!;
        (original with { ClusterId = StorageCommands.RandomUuid() }).WriteTo(meta);
        var errors = new StringWriter();

        RunningBroker? broker = await BrokerHost.StartAsync(Options(config, errors, (_, _, _, _) => new TestDoubleNode()));

        Assert.Null(broker);
        string message = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("a node's directories must come from one format", message, StringComparison.Ordinal);
    }
}
