using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// A real broker, run as a user would run it: server.properties in a temp directory,
/// `kraft storage format -t $(kraft storage random-uuid) -c FILE`, then `kraft server start FILE` as a
/// child process on free 127.0.0.1 ports. It counts as up once its client port accepts connections and a
/// Metadata request lists the node. It can be stopped (SIGTERM), killed (SIGKILL) and restarted on the same
/// directory and ports; <see cref="Log"/> has the output of every run for failure reports. Alone it is a
/// single combined node (node 1); <see cref="KraftCluster"/> starts several as one cluster.
/// </summary>
public sealed partial class KraftBroker : IAsyncDisposable
{
    /// <summary>The id of a broker started alone.</summary>
    public const int SingleNodeId = 1;

    /// <summary>From process start to serving metadata; a JIT-compiled start and log recovery fit well inside.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a graceful shutdown may take before it counts as hung.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StorageCommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ConnectAttemptTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReadinessPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly List<ChildProcess> _runs = [];
    private readonly string _setupLog;

    private KraftBroker(string directory, ServerProperties properties, string configFile, string clusterId, string setupLog)
    {
        Directory = directory;
        Properties = properties;
        ConfigFile = configFile;
        ClusterId = clusterId;
        _setupLog = setupLog;
    }

    /// <summary>The temp directory holding server.properties and the log directory; deleted on dispose.</summary>
    public string Directory { get; }

    public ServerProperties Properties { get; }

    private const string TraceFileName = "broker.trace";

    /// <summary>The trace the broker records when started with <c>recordTrace</c>.</summary>
    public string TracePath => Path.Combine(Directory, TraceFileName);

    public string ConfigFile { get; }

    public string ClusterId { get; }

    public int NodeId => Properties.NodeId;

    public int Port => Properties.ClientPort;

    public string BootstrapServer => $"127.0.0.1:{Port}";

    /// <summary>The process of the current run; only valid while it runs.</summary>
    public int ProcessId => Current.ProcessId;

    public bool IsRunning => _runs.Count > 0 && !_runs[^1].HasExited;

    private ChildProcess Current => _runs.Count > 0 ? _runs[^1] : throw new InvalidOperationException("The broker was never started.");

    /// <summary>Formats fresh storage and starts the broker; throws with its output when it does not come up in time.</summary>
    /// <param name="recordTrace">Sets <c>trace.record.path</c> to <c>broker.trace</c> in the broker's directory (<see cref="TracePath"/>).</param>
    public static async Task<KraftBroker> StartAsync(bool recordTrace = false)
    {
        IReadOnlyList<int> ports = FreePorts.Take(2);
        KraftBroker broker = await FormatAsync(await RandomClusterIdAsync(),
            directory => new ServerProperties(SingleNodeId, ports[0], ports[1], Path.Combine(directory, "kraft-combined-logs"))
            {
                TraceRecordPath = recordTrace ? Path.Combine(directory, TraceFileName) : null,
            });
        try
        {
            await broker.StartProcessAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes server.properties into a new temp directory and formats its storage with <paramref name="clusterId"/>; starts nothing.</summary>
    internal static async Task<KraftBroker> FormatAsync(string clusterId, Func<string, ServerProperties> properties)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("kraft-e2e-").FullName;
        try
        {
            ServerProperties written = properties(directory);
            string configFile = Path.Combine(directory, "server.properties");
            await File.WriteAllTextAsync(configFile, written.Text());
            (_, string formatTranscript) = await RunStorageCommandAsync("storage", "format", "-t", clusterId, "-c", configFile);
            return new KraftBroker(directory, written, configFile, clusterId, formatTranscript);
        }
        catch
        {
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Starts the broker again on the same directory and ports, after <see cref="StopAsync"/> or <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning) throw new InvalidOperationException("The broker is still running; stop or kill it first.");
        await StartProcessAsync();
    }

    /// <summary>SIGTERM and a bounded wait for a graceful exit; returns the exit code, throws (after SIGKILL) when the broker hangs.</summary>
    public Task<int> StopAsync() => Current.TerminateAsync(StopTimeout);

    /// <summary>SIGKILL: the process ends at once, with whatever it had not written or synced lost, as in a crash.</summary>
    public Task KillAsync() => Current.KillAsync();

    /// <summary>The storage commands' output and every run's command, status and output tail.</summary>
    public string Log(int tailLinesPerRun = 200)
    {
        var runs = _runs.Select((run, index) => $"--- broker run {index + 1} ---\n{run.Describe(tailLinesPerRun)}");
        return $"--- broker setup in {Directory} ---\n{_setupLog}\n" + string.Join("\n", runs);
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            try
            {
                await StopAsync();
            }
            catch (TimeoutException)
            {
                // Already killed by TerminateAsync; a hung shutdown is reported by the test that stops it.
            }
        }
        foreach (ChildProcess run in _runs) await run.DisposeAsync();
        DeleteDirectory(Directory);
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing the fixture over it is not.
        }
    }

    internal async Task StartProcessAsync()
    {
        var run = ChildProcess.Start(ClientCommands.Kraft("server", "start", ConfigFile) with { WorkingDirectory = Directory });
        _runs.Add(run);
        var sinceStart = Stopwatch.StartNew();
        if (!Properties.IsBroker)
        {
            // A controller-only node has no client listener to ask; it is up once its controller port accepts.
            await WaitUntilAsync(run, sinceStart, () => AcceptsConnectionAsync(Properties.ControllerPort), "its controller port to accept connections");
            return;
        }
        await WaitUntilAsync(run, sinceStart, () => AcceptsConnectionAsync(Port), "its client port to accept connections");
        await WaitUntilAsync(run, sinceStart, ListsItselfInMetadataAsync, $"a Metadata response listing node {NodeId}");
    }

    /// <summary>Polls <paramref name="isReady"/> until it holds; fails early when the broker exits and late after <see cref="StartTimeout"/>.</summary>
    private async Task WaitUntilAsync(ChildProcess run, Stopwatch sinceStart, Func<Task<bool>> isReady, string what)
    {
        while (!await isReady())
        {
            if (run.HasExited)
                throw new InvalidOperationException($"The broker exited with {run.ExitCode} before {what}.\n{Log()}");
            if (sinceStart.Elapsed > StartTimeout)
                throw new TimeoutException($"The broker was not ready ({what}) {StartTimeout.TotalSeconds:0} s after starting.\n{Log()}");
            await Task.Delay(ReadinessPollInterval);
        }
    }

    private static async Task<bool> AcceptsConnectionAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var attempt = new CancellationTokenSource(ConnectAttemptTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), attempt.Token);
            return true;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> ListsItselfInMetadataAsync()
    {
        var options = new ClientOptions
        {
            BootstrapServers = [new BrokerEndpoint("127.0.0.1", Port)],
            ClientId = "e2e-readiness",
            ConnectTimeoutMs = 2_000,
            RequestTimeoutMs = 5_000,
            AttemptsMax = 1,
        };
        await using var cluster = new ClusterClient(options);
        try
        {
            ClusterMetadata metadata = await cluster.RefreshMetadataAsync([], allowAutoTopicCreation: false, CancellationToken.None);
            return metadata.Broker(NodeId) is not null;
        }
        catch (KafkaClientException)
        {
            return false;
        }
    }

    internal static async Task<string> RandomClusterIdAsync()
    {
        (string output, _) = await RunStorageCommandAsync("storage", "random-uuid");
        string clusterId = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        // kafka-storage.sh random-uuid prints a UUID as 22 characters of URL-safe base64 without padding.
        if (!ClusterIdPattern().IsMatch(clusterId))
            throw new InvalidOperationException($"`kraft storage random-uuid` printed '{output.Trim()}', not a 22-character URL-safe base64 cluster id.");
        return clusterId;
    }

    /// <summary>Runs a kraft storage command; returns its standard output and a transcript, throws with both when it fails.</summary>
    private static async Task<(string Output, string Transcript)> RunStorageCommandAsync(params string[] arguments)
    {
        await using var run = ChildProcess.Start(ClientCommands.Kraft(arguments));
        await run.CloseInputAsync();
        int exitCode = await run.WaitForExitAsync(StorageCommandTimeout);
        if (exitCode != 0) throw new InvalidOperationException($"A storage command failed:\n{run.Describe()}");
        return (string.Join("\n", run.StandardOutput.Snapshot()), run.Describe());
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{22}$")]
    private static partial Regex ClusterIdPattern();
}
