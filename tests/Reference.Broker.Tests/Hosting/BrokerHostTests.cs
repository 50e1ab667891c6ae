using System.Diagnostics;
using Reference.Broker.Hosting;
using Reference.Broker.Storage;
using Reference.Broker.Tests.Network;
using Reference.Core;
using Reference.Core.Node;
using Xunit.Abstractions;

namespace Reference.Broker.Tests.Hosting;

/// <summary>Starting, stopping and failing a whole broker (a stand-in node inside).</summary>
public sealed class BrokerHostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TheFirstConnectionIsAnsweredSoonAfterStart()
    {
        using var directory = new TemporaryDirectory();
        string config = TestBroker.WriteConfig(directory, "", "1@127.0.0.1:1");
        StorageCommands.Format(new FormatOptions(config, StorageCommands.RandomUuid()), new StringWriter(), new StringWriter());
        var clock = Stopwatch.StartNew();
        await using TestBroker broker = await TestBroker.StartAsync(directory, config, new TestDoubleNode());
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
        long acceptedMs = clock.ElapsedMilliseconds;
        await client.SendAsync(RawClient.ApiVersionsRequest(1));
        Assert.NotNull(await client.ReadFrameAsync());
        output.WriteLine($"start to first accepted connection: {acceptedMs} ms; to first answer: {clock.ElapsedMilliseconds} ms");
        Assert.True(acceptedMs < 2000, $"took {acceptedMs} ms");
    }

    [Fact]
    public async Task TheNodeIsStartedFirstAndAStopIsCleanForTheNextStart()
    {
        var node = new TestDoubleNode();
        var log = new TopicPartition("t", 0);
        node.OnStarted.Add(new NodeEffect.AppendToLog(log, 0, Storage.Batches.Make(0, 3)));
        node.OnStarted.Add(new NodeEffect.PersistQuorumState(new Protocol.Messages.QuorumStateData { LeaderId = 1, LeaderEpoch = 4, VotedId = 1 }));
        node.OnStarted.Add(new NodeEffect.FlushLog(log));
        TestBroker broker = await TestBroker.StartAsync(node);
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.LogFlushed>(f => f.Log == log && f.DurableEndOffset == 3), "LogFlushed");
        Assert.IsType<NodeInput.Started>(node.Inputs.First());
        Assert.Equal(0, await broker.StopAsync());

        var restarted = new TestDoubleNode();
        Protocol.Messages.QuorumStateData? quorumState = null;
        var errors = new StringWriter();
        RunningBroker? again = await BrokerHost.StartAsync(new BrokerOptions
        {
            ConfigPath = broker.ConfigPath,
            Output = new StringWriter(),
            Error = errors,
            HandleSignals = false,
            NodeFactory = (config, storage, state, _) =>
            {
                quorumState = state;
                Assert.Equal(new Core.Log.LogExtent(0, 3, 3), storage.Extent(log));
                Assert.Equal(1, config.NodeId);
                Assert.Equal(22, config.ClusterId.Length);
                return restarted;
            },
        });
        Assert.True(again is not null, errors.ToString());
        Assert.Equal(4, quorumState!.LeaderEpoch);
        Assert.Equal(0, await again!.StopAsync());
        await broker.DisposeAsync();
    }

    [Fact]
    public async Task ANodeThatAppendsWhereTheLogDoesNotEndStopsTheBroker()
    {
        var node = new TestDoubleNode();
        node.OnStarted.Add(new NodeEffect.AppendToLog(new TopicPartition("t", 0), 5, Storage.Batches.Make(5, 1)));
        await using TestBroker broker = await TestBroker.StartAsync(node);
        string? failure = await broker.Running.Failed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("the core and the disk disagree", failure, StringComparison.Ordinal);
        Assert.Equal(1, await broker.StopAsync());
    }

    [Fact]
    public async Task AnUnformattedDirectoryIsRefusedWithTheCommandThatFormatsIt()
    {
        using var directory = new TemporaryDirectory();
        string config = TestBroker.WriteConfig(directory, "", "1@127.0.0.1:1");
        var errors = new StringWriter();
        RunningBroker? broker = await BrokerHost.StartAsync(new BrokerOptions
        {
            ConfigPath = config, Output = new StringWriter(), Error = errors, HandleSignals = false, NodeFactory = (_, _, _, _) => new TestDoubleNode(),
        });
        Assert.Null(broker);
        Assert.Contains("is not formatted", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("kraft storage format -t $(kraft storage random-uuid) -c", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsyncReturnsZeroWhenCancelled()
    {
        using var directory = new TemporaryDirectory();
        string config = TestBroker.WriteConfig(directory, "", "1@127.0.0.1:1");
        StorageCommands.Format(new FormatOptions(config, StorageCommands.RandomUuid()), new StringWriter(), new StringWriter());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        int exitCode = await BrokerHost.RunAsync(new BrokerOptions
        {
            ConfigPath = config, Output = new StringWriter(), Error = new StringWriter(), HandleSignals = false, NodeFactory = (_, _, _, _) => new TestDoubleNode(),
        }, cancel.Token);
        Assert.Equal(0, exitCode);
        Assert.True(File.Exists(Path.Combine(directory.Combine("data"), DiskLogStorage.CleanShutdownFileName)));
    }
}
