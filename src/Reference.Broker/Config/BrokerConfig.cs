using Reference.Core.Node;

namespace Reference.Broker.Config;

/// <summary>A listener this node opens: <c>NAME://host:port</c>; an empty host means every interface.</summary>
public sealed record ListenerConfig(string Name, string Host, int Port, ListenerKind Kind)
{
    public bool BindsAllInterfaces => Host.Length == 0;

    public override string ToString() => $"{Name}://{Host}:{Port}";
}

/// <summary>
/// Everything server.properties says: the core's settings (<see cref="Node"/>) and the shell's own (sockets,
/// directories). The cluster id is not in server.properties: it comes from meta.properties at start, so
/// <see cref="Node"/> carries an empty one until then.
/// </summary>
public sealed record BrokerConfig
{
    /// <summary>The settings the core acts on (Kafka's defaults where the file is silent).</summary>
    public required NodeConfig Node { get; init; }

    /// <summary><c>listeners</c>: what this node binds, broker and controller listeners alike.</summary>
    public required IReadOnlyList<ListenerConfig> Listeners { get; init; }

    /// <summary><c>advertised.listeners</c> (default: <c>listeners</c>, an empty host becoming localhost).</summary>
    public required IReadOnlyList<Endpoint> AdvertisedListeners { get; init; }

    /// <summary><c>controller.listener.names</c>: the first is the one peers are reached on.</summary>
    public required IReadOnlyList<string> ControllerListenerNames { get; init; }

    /// <summary><c>inter.broker.listener.name</c> (also in <see cref="NodeConfig.InterBrokerListenerName"/>): the listener other brokers' replica fetchers reach this one on.</summary>
    public required string InterBrokerListenerName { get; init; }

    /// <summary><c>log.dirs</c> as written. Only <see cref="DataDirectory"/> (the first) holds data.</summary>
    public required IReadOnlyList<string> LogDirectories { get; init; }

    /// <summary><c>metadata.log.dir</c> (default: the first log dir): where <c>__cluster_metadata-0</c> lives.</summary>
    public required string MetadataDirectory { get; init; }

    /// <summary>
    /// <c>socket.request.max.bytes</c>: a request frame larger than this closes its connection before a byte of
    /// it is buffered, so one client cannot make the broker allocate what it claims.
    /// </summary>
    public int SocketRequestMaxBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary><c>index.interval.bytes</c>: how many log bytes lie between two offset-index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>
    /// <c>trace.record.path</c>: when set, every input the core receives and every effect it asks for is written
    /// to this file as a trace (traces/README.md) that <c>kraft replay</c> re-runs and checks. Off by default.
    /// </summary>
    public string? TraceRecordPath { get; init; }

    /// <summary><c>trace.record.max.bytes</c>: recording stops (with a log line) before the trace would grow past this.</summary>
    public long TraceRecordMaxBytes { get; init; } = DefaultTraceRecordMaxBytes;

    public const long DefaultTraceRecordMaxBytes = 1L << 30;

    public string DataDirectory => LogDirectories[0];

    /// <summary>Every directory <c>storage format</c> writes meta.properties into, each once, in order.</summary>
    public IReadOnlyList<string> AllDirectories =>
        LogDirectories.Append(MetadataDirectory).Distinct(StringComparer.Ordinal).ToList();
}
