using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Reference.Broker.Config;
using Reference.Broker.Network;
using Reference.Broker.Storage;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Hosting;

/// <summary>A listener as it is bound: its configuration and the address it really listens on.</summary>
public sealed record BoundListener(ListenerConfig Config, IPEndPoint Endpoint);

/// <summary>
/// Starts and stops a broker: the configuration, the disk, the node on its event loop, the listeners.
/// <see cref="RunAsync"/> is what <c>kraft server start</c> calls; <see cref="StartAsync"/> is the same
/// without waiting, for tests and tools that drive a broker in-process.
/// </summary>
public static class BrokerHost
{
    private const string Component = "BrokerServer";

    /// <summary>Runs until cancelled, SIGTERM or SIGINT (when handled), or a fatal error. Returns the exit code.</summary>
    public static async Task<int> RunAsync(BrokerOptions options, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration? terminate = options.HandleSignals ? StopOn(PosixSignal.SIGTERM, stop) : null;
        using PosixSignalRegistration? interrupt = options.HandleSignals ? StopOn(PosixSignal.SIGINT, stop) : null;
        RunningBroker? broker = await StartAsync(options);
        if (broker is null) return 1;
        await Task.WhenAny(broker.Failed, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        return await broker.StopAsync();
    }

    /// <summary>Starts a broker; null (with the reasons written to <see cref="BrokerOptions.Error"/>) when it cannot.</summary>
    public static Task<RunningBroker?> StartAsync(BrokerOptions options)
    {
        long startedAt = Stopwatch.GetTimestamp();
        ConfigParseResult parsed = ParseConfig(options);
        foreach (string error in parsed.Errors) options.Error.WriteLine(error);
        if (parsed.Config is not { } config) return Task.FromResult<RunningBroker?>(null);
        var log = new BrokerLog(options.Output, config.Node.NodeId);
        foreach (string warning in parsed.Warnings) log.Warn(Component, warning);
        NodeFactory factory = options.NodeFactory ?? CoreNodeFactory.Default;
        MetaProperties? meta = LoadOrFormatMetaProperties(options, config, log);
        if (meta is null) return Task.FromResult<RunningBroker?>(null);
        NodeConfig nodeConfig = config.Node with { ClusterId = meta.ClusterId };
        try
        {
            return Task.FromResult<RunningBroker?>(Launch(config, nodeConfig, meta.DirectoryId, factory, log, startedAt));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or System.Net.Sockets.SocketException)
        {
            return Fail(options, $"The broker could not start: {error.Message}");
        }
    }

    /// <param name="metadataDirectoryId">The metadata directory's directory.id: the core compares it with this node's voter entry (KIP-853).</param>
    private static RunningBroker Launch(BrokerConfig config, NodeConfig nodeConfig, Uuid metadataDirectoryId, NodeFactory factory, BrokerLog log, long startedAt)
    {
        var clock = new MonotonicClock();
        var settings = new DiskLogSettings(nodeConfig.LogSegmentBytes, nodeConfig.LogRollMs, config.IndexIntervalBytes);
        DiskLogStorage storage = DiskLogStorage.Open(new DiskLogStorageOptions(config.DataDirectory, config.MetadataDirectory, settings, metadataDirectoryId),
            () => clock.NowMs, message => log.Warn("LogManager", message));
        var listeners = new List<SocketListener>();
        TraceRecorder? recorder = null;
        try
        {
            QuorumStateData? quorumState = storage.ReadQuorumState();
            log.Info("LogManager", $"Loaded {storage.Logs.Count} logs from {config.DataDirectory} ({(storage.WasCleanShutdown ? "clean" : "recovered after an unclean")} stop).");
            ulong seed = SeedFromOperatingSystem();
            recorder = config.TraceRecordPath is { } tracePath
                ? TraceRecorder.Start(tracePath, config.TraceRecordMaxBytes, nodeConfig, seed, storage, quorumState, log)
                : null;
            IDeterministicRandom random = recorder is null ? new SplitMix64Random(seed) : TraceRecorder.RandomFor(seed, nodeConfig.NodeId);
            INode node = factory(nodeConfig, storage, quorumState, random);
            if (node is Node { Raft.NotVotingReason: { } notVoting }) log.Warn("RaftManager", notVoting);
            var loop = new EventLoop(node, storage, clock, log, recorder);
            foreach (ListenerConfig listener in config.Listeners)
                listeners.Add(SocketListener.Start(listener, config.SocketRequestMaxBytes, loop, log, () => clock.NowMs));
            var peers = new PeerClient(nodeConfig.NodeId, nodeConfig.Voters, nodeConfig.QuorumRequestTimeoutMs, config.SocketRequestMaxBytes, loop, log);
            loop.Start(peers);
            var broker = new RunningBroker(loop, storage, peers, listeners, log);
            log.Info(Component, $"Started in {Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds:F0} ms, listening on {string.Join(", ", broker.Listeners.Select(l => $"{l.Config.Name}://{l.Endpoint}"))}.");
            return broker;
        }
        catch
        {
            foreach (SocketListener listener in listeners) listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
            recorder?.Dispose();
            storage.Dispose();
            throw;
        }
    }

    private static ConfigParseResult ParseConfig(BrokerOptions options) => options.ConfigPath is { } path
        ? BrokerConfigParser.ParseFile(path)
        : BrokerConfigParser.Parse(DefaultConfiguration.Text(options.DefaultDataDirectory ?? DefaultConfiguration.DataDirectory));

    /// <summary>
    /// Every directory must be formatted, for the same cluster and this node. The built-in configuration
    /// formats its own directory with a new cluster id the first time; a configuration file never does:
    /// starting on an unformatted directory is how a typo in log.dirs would silently make a new cluster.
    /// Neither formats over data: a directory that holds logs but lost its meta.properties would otherwise
    /// come back under a new cluster and directory id, its old identity (and, for a voter, what it promised) gone.
    /// Returns the metadata directory's properties (its directory.id is the voter's, KIP-853).
    /// </summary>
    private static MetaProperties? LoadOrFormatMetaProperties(BrokerOptions options, BrokerConfig config, BrokerLog log)
    {
        bool noneFormatted = config.AllDirectories.All(d => !File.Exists(MetaProperties.PathIn(d)));
        if (config.AllDirectories.FirstOrDefault(d => !File.Exists(MetaProperties.PathIn(d)) && HoldsData(d)) is { } unidentified)
        {
            options.Error.WriteLine($"{unidentified} holds data but no {MetaProperties.FileName}: restore that file, or move the data away before formatting; refusing to start.");
            return null;
        }
        if (options.ConfigPath is null && noneFormatted)
        {
            string clusterId = StorageCommands.RandomUuid();
            log.Info(Component, $"First start of the built-in configuration: formatting with cluster id {clusterId}.");
            StorageCommands.FormatFresh(config, clusterId, new LogLineWriter(log));
        }
        MetaProperties? first = null, metadata = null;
        foreach (string directory in config.AllDirectories)
        {
            MetaPropertiesRead read = MetaProperties.ReadFrom(directory);
            if (read.Properties is not { } meta)
            {
                options.Error.WriteLine($"{read.Problem}. Format it first: kraft storage format -t $(kraft storage random-uuid) -c {options.ConfigPath ?? "FILE"}");
                return null;
            }
            if (meta.NodeId != config.Node.NodeId)
            {
                options.Error.WriteLine($"{MetaProperties.PathIn(directory)} belongs to node {meta.NodeId}, but node.id is {config.Node.NodeId}: point log.dirs at this node's directory, or fix node.id.");
                return null;
            }
            if (first is not null && meta.ClusterId != first.ClusterId)
            {
                options.Error.WriteLine($"{directory} belongs to cluster {meta.ClusterId}, but {config.AllDirectories[0]} to {first.ClusterId}: a node's directories must come from one format.");
                return null;
            }
            first ??= meta;
            if (directory == config.MetadataDirectory) metadata = meta;
        }
        return metadata ?? first;
    }

    /// <summary>Anything in the directory but the files a broker leaves in an empty one (its lock and clean-stop marker).</summary>
    private static bool HoldsData(string directory) =>
        Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory)
            .Select(Path.GetFileName)
            .Any(name => name is not (DiskLogStorage.LockFileName or DiskLogStorage.CleanShutdownFileName));

    private static ulong SeedFromOperatingSystem()
    {
        Span<byte> seed = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(seed);
        return BitConverter.ToUInt64(seed);
    }

    private static PosixSignalRegistration StopOn(PosixSignal signal, CancellationTokenSource stop) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true; // we stop gracefully ourselves
            stop.Cancel();
        });

    private static Task<RunningBroker?> Fail(BrokerOptions options, string message)
    {
        options.Error.WriteLine(message);
        return Task.FromResult<RunningBroker?>(null);
    }

    /// <summary>Turns the format step's lines into log lines.</summary>
    private sealed class LogLineWriter(BrokerLog log) : StringWriter
    {
        public override void WriteLine(string? value) => log.Info(Component, value ?? "");
    }
}
