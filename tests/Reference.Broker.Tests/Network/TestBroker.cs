using System.Diagnostics;
using System.Net;
using Reference.Broker.Hosting;
using Reference.Broker.Storage;

namespace Reference.Broker.Tests.Network;

/// <summary>A broker in this process on 127.0.0.1, on ports the kernel picks, around a test double of the node.</summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private readonly TemporaryDirectory _directory;

    private TestBroker(TemporaryDirectory directory, RunningBroker running, StringWriter log, TestDoubleNode node, string configPath)
    {
        _directory = directory;
        Running = running;
        Log = log;
        Node = node;
        ConfigPath = configPath;
    }

    public RunningBroker Running { get; }

    public StringWriter Log { get; }

    public TestDoubleNode Node { get; }

    public string ConfigPath { get; }

    public string DataDirectory => _directory.Combine("data");

    public IPEndPoint Endpoint(string listener) => Running.Listeners.Single(l => l.Config.Name == listener).Endpoint;

    public static async Task<TestBroker> StartAsync(TestDoubleNode node, string extraConfig = "", string voters = "1@127.0.0.1:1")
    {
        var directory = new TemporaryDirectory();
        string configPath = WriteConfig(directory, extraConfig, voters);
        Assert.Equal(0, StorageCommands.Format(new FormatOptions(configPath, StorageCommands.RandomUuid()), new StringWriter(), new StringWriter()));
        return await StartAsync(directory, configPath, node);
    }

    public static async Task<TestBroker> StartAsync(TemporaryDirectory directory, string configPath, TestDoubleNode node)
    {
        var log = new StringWriter();
        var errors = new StringWriter();
        RunningBroker? running = await BrokerHost.StartAsync(new BrokerOptions
        {
            ConfigPath = configPath,
            Output = TextWriter.Synchronized(log),
            Error = errors,
            HandleSignals = false,
            NodeFactory = (_, _, _, _) => node,
        });
        Assert.True(running is not null, errors.ToString());
        return new TestBroker(directory, running!, log, node, configPath);
    }

    public static string WriteConfig(TemporaryDirectory directory, string extraConfig, string voters)
    {
        string path = directory.Combine("server.properties");
        File.WriteAllText(path, $"""
            process.roles=broker,controller
            node.id=1
            controller.quorum.voters={voters}
            listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0
            controller.listener.names=CONTROLLER
            log.dirs={directory.Combine("data")}
            {extraConfig}
            """);
        return path;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after five seconds.</summary>
    public static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.ElapsedMilliseconds < 5000, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>Stops the broker and returns its exit code; the directory stays for a restart until disposal.</summary>
    public Task<int> StopAsync() => Running.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await Running.StopAsync();
        _directory.Dispose();
    }
}
