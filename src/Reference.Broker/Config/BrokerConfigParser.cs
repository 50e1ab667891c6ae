using System.Globalization;
using Reference.Core.Node;

namespace Reference.Broker.Config;

/// <summary>What reading a configuration gave: a config, or the errors that prevent one; warnings either way.</summary>
public sealed record ConfigParseResult(BrokerConfig? Config, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public bool IsSuccess => Config is not null;
}

/// <summary>
/// Turns server.properties into a <see cref="BrokerConfig"/>: Kafka's keys, Kafka's defaults, Kafka's
/// precedence (<c>log.retention.ms</c> over <c>.minutes</c> over <c>.hours</c>). Every bad value is one line
/// naming the key and the fix; all of them are reported at once, not only the first.
/// </summary>
public static class BrokerConfigParser
{
    /// <summary>Kafka's default <c>listener.security.protocol.map</c>.</summary>
    private const string DefaultSecurityProtocolMap = "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";

    private const long MsPerMinute = 60_000;
    private const long MsPerHour = 60 * MsPerMinute;

    /// <summary>
    /// Keys of Kafka's quickstart file that tune what this broker does not have (thread pools, socket buffers,
    /// the transaction log): accepted, named once in a warning, and otherwise ignored.
    /// </summary>
    private static readonly HashSet<string> s_keysWithoutEffect = new(StringComparer.Ordinal)
    {
        "num.network.threads", "num.io.threads", "socket.send.buffer.bytes", "socket.receive.buffer.bytes",
        "num.recovery.threads.per.data.dir", "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr", "log.flush.interval.ms", "log.cleaner.enable", "log.cleanup.policy",
        "offsets.topic.segment.bytes", "offsets.topic.compression.codec", "offsets.commit.timeout.ms",
        "group.coordinator.rebalance.protocols", "security.inter.broker.protocol", "delete.topic.enable",
    };

    public static ConfigParseResult Parse(string propertiesText)
    {
        IReadOnlyList<PropertyEntry> entries;
        try
        {
            entries = JavaProperties.Parse(propertiesText);
        }
        catch (FormatException malformed)
        {
            return new ConfigParseResult(null, [$"The configuration is not a properties file: {malformed.Message}."], []);
        }
        var reader = new ConfigReader(entries);
        var warnings = new List<string>();
        BrokerConfig? config = Build(reader, warnings);
        ReportUnread(reader, warnings);
        return reader.Errors.Count == 0 && config is not null
            ? new ConfigParseResult(config, [], warnings)
            : new ConfigParseResult(null, reader.Errors, warnings);
    }

    public static ConfigParseResult ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return new ConfigParseResult(null, [$"Cannot read the configuration file {path}: {error.Message}"], []);
        }
        return Parse(text);
    }

    private static BrokerConfig? Build(ConfigReader reader, List<string> warnings)
    {
        (bool isBroker, bool isController) = ReadRoles(reader);
        int nodeId = ReadNodeId(reader);
        IReadOnlyList<VoterAddress> voters = ReadVoters(reader);
        IReadOnlyList<string> controllerNames = ReadControllerListenerNames(reader);
        IReadOnlyList<ListenerConfig> listeners = ReadListeners(reader, controllerNames);
        IReadOnlyList<Endpoint> advertised = ReadAdvertisedListeners(reader, listeners);
        string interBrokerName = reader.String("inter.broker.listener.name") is { Length: > 0 } name ? name : "PLAINTEXT";
        CheckSecurityProtocols(reader, listeners);
        IReadOnlyList<string> logDirs = ReadLogDirectories(reader, warnings);
        string metadataDir = reader.String("metadata.log.dir") is { Length: > 0 } dir ? dir : logDirs.FirstOrDefault() ?? "";
        CheckRoles(reader, isBroker, isController, nodeId, voters, listeners, controllerNames, interBrokerName);

        NodeConfig node = ReadNodeSettings(reader, warnings) with
        {
            NodeId = nodeId,
            IsBroker = isBroker,
            IsController = isController,
            Voters = voters,
            AdvertisedBrokerEndpoints = advertised.Where(e => !controllerNames.Contains(e.ListenerName)).ToList(),
            InterBrokerListenerName = interBrokerName,
        };
        if (reader.Errors.Count > 0) return null;
        return new BrokerConfig
        {
            Node = node,
            Listeners = listeners,
            AdvertisedListeners = advertised,
            ControllerListenerNames = controllerNames,
            InterBrokerListenerName = interBrokerName,
            LogDirectories = logDirs,
            MetadataDirectory = metadataDir,
            SocketRequestMaxBytes = reader.Int("socket.request.max.bytes", 100 * 1024 * 1024, min: 1),
            IndexIntervalBytes = reader.Int("index.interval.bytes", 4096, min: 0),
            TraceRecordPath = reader.String("trace.record.path") is { Length: > 0 } trace ? trace : null,
            TraceRecordMaxBytes = reader.Long("trace.record.max.bytes", BrokerConfig.DefaultTraceRecordMaxBytes, min: 1024),
        };
    }

    private static (bool IsBroker, bool IsController) ReadRoles(ConfigReader reader)
    {
        IReadOnlyList<string> roles = reader.List("process.roles");
        if (roles.Count == 0)
        {
            reader.Problem("process.roles is not set: this broker runs KRaft only; set process.roles=broker,controller (or broker, or controller).");
            return (true, true);
        }
        foreach (string role in roles.Where(r => r is not ("broker" or "controller")))
            reader.Fail("process.roles", role, "the roles are broker and controller; write e.g. process.roles=broker,controller");
        return (roles.Contains("broker"), roles.Contains("controller"));
    }

    private static int ReadNodeId(ConfigReader reader)
    {
        if (!reader.Has("node.id"))
        {
            reader.Problem("node.id is not set: give this node its id, unique in the cluster, e.g. node.id=1.");
            return 0;
        }
        return reader.Int("node.id", 0, min: 0);
    }

    private static IReadOnlyList<VoterAddress> ReadVoters(ConfigReader reader)
    {
        var voters = new List<VoterAddress>();
        IReadOnlyList<string> items = reader.List("controller.quorum.voters");
        if (items.Count == 0)
        {
            reader.Problem(reader.Has("controller.quorum.bootstrap.servers")
                ? "controller.quorum.bootstrap.servers (a dynamic quorum, KIP-853) is not supported: list the voters in controller.quorum.voters, e.g. controller.quorum.voters=1@localhost:9093."
                : "controller.quorum.voters is not set: list the controllers as id@host:port, e.g. controller.quorum.voters=1@localhost:9093.");
            return voters;
        }
        foreach (string item in items)
        {
            int at = item.IndexOf('@');
            if (at <= 0 || !int.TryParse(item.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                || !TrySplitHostPort(item[(at + 1)..], out string host, out int port) || host.Length == 0)
            {
                reader.Fail("controller.quorum.voters", item, "each voter is id@host:port; write e.g. controller.quorum.voters=1@localhost:9093");
                continue;
            }
            if (voters.Any(v => v.NodeId == id))
                reader.Fail("controller.quorum.voters", item, $"voter {id} is listed twice; list each controller once");
            voters.Add(new VoterAddress(id, host, port));
        }
        return voters;
    }

    private static IReadOnlyList<string> ReadControllerListenerNames(ConfigReader reader)
    {
        IReadOnlyList<string> names = reader.List("controller.listener.names");
        if (names.Count == 0)
            reader.Problem("controller.listener.names is not set: name the listener controllers talk on, e.g. controller.listener.names=CONTROLLER.");
        return names;
    }

    private static IReadOnlyList<ListenerConfig> ReadListeners(ConfigReader reader, IReadOnlyList<string> controllerNames)
    {
        var listeners = new List<ListenerConfig>();
        IReadOnlyList<string> items = reader.Has("listeners") ? reader.List("listeners") : ["PLAINTEXT://:9092"];
        foreach (string item in items)
        {
            if (!TryParseListener(item, out string name, out string host, out int port))
            {
                reader.Fail("listeners", item, "each listener is NAME://host:port (empty host: every interface); write e.g. listeners=PLAINTEXT://:9092,CONTROLLER://:9093");
                continue;
            }
            if (listeners.Any(l => l.Name == name))
                reader.Fail("listeners", item, $"listener {name} is named twice; give each listener its own name");
            else if (port != 0 && listeners.Any(l => l.Port == port))
                reader.Fail("listeners", item, $"port {port} is used by two listeners; give each its own port");
            var kind = controllerNames.Contains(name) ? ListenerKind.Controller : ListenerKind.Broker;
            listeners.Add(new ListenerConfig(name, host, port, kind));
        }
        return listeners;
    }

    /// <summary>Kafka advertises <c>listeners</c> when <c>advertised.listeners</c> is silent; an empty host becomes localhost here.</summary>
    private static IReadOnlyList<Endpoint> ReadAdvertisedListeners(ConfigReader reader, IReadOnlyList<ListenerConfig> listeners)
    {
        var advertised = new List<Endpoint>();
        foreach (string item in reader.List("advertised.listeners"))
        {
            if (TryParseListener(item, out string name, out string host, out int port) && host.Length > 0)
                advertised.Add(new Endpoint(name, host, port));
            else
                reader.Fail("advertised.listeners", item, "each is NAME://host:port with a host clients can reach; write e.g. advertised.listeners=PLAINTEXT://localhost:9092");
        }
        foreach (ListenerConfig listener in listeners.Where(l => advertised.All(a => a.ListenerName != l.Name)))
            advertised.Add(new Endpoint(listener.Name, listener.BindsAllInterfaces ? "localhost" : listener.Host, listener.Port));
        return advertised;
    }

    private static void CheckSecurityProtocols(ConfigReader reader, IReadOnlyList<ListenerConfig> listeners)
    {
        bool mapGiven = reader.Has("listener.security.protocol.map");
        var protocols = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in reader.List("listener.security.protocol.map") is { Count: > 0 } given ? given : DefaultSecurityProtocolMap.Split(','))
        {
            string[] parts = pair.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                reader.Fail("listener.security.protocol.map", pair, "each entry is LISTENER:PROTOCOL; write e.g. listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
            else protocols[parts[0]] = parts[1];
        }
        foreach (ListenerConfig listener in listeners)
        {
            string protocol = protocols.TryGetValue(listener.Name, out string? mapped) ? mapped
                : mapGiven ? "" : "PLAINTEXT";
            if (protocol == "PLAINTEXT") continue;
            reader.Problem(protocol.Length == 0
                ? $"listener.security.protocol.map names no protocol for listener {listener.Name}; add {listener.Name}:PLAINTEXT to it."
                : $"Listener {listener.Name} uses {protocol}, but this broker speaks PLAINTEXT only: map it as {listener.Name}:PLAINTEXT in listener.security.protocol.map.");
        }
    }

    private static IReadOnlyList<string> ReadLogDirectories(ConfigReader reader, List<string> warnings)
    {
        IReadOnlyList<string> dirs = reader.List("log.dirs");
        if (dirs.Count == 0) dirs = reader.List("log.dir");
        if (dirs.Count == 0) dirs = ["/tmp/kafka-logs"];
        if (dirs.Count > 1)
            warnings.Add($"log.dirs lists {dirs.Count} directories; this broker keeps its data in the first only, {dirs[0]} (the others are formatted but stay empty).");
        return dirs;
    }

    private static void CheckRoles(ConfigReader reader, bool isBroker, bool isController, int nodeId,
        IReadOnlyList<VoterAddress> voters, IReadOnlyList<ListenerConfig> listeners, IReadOnlyList<string> controllerNames,
        string interBrokerName)
    {
        if (reader.Errors.Count > 0) return; // the checks below would only repeat an earlier error in other words
        if (isController && voters.All(v => v.NodeId != nodeId))
            reader.Problem($"node.id={nodeId} is a controller but not in controller.quorum.voters; in a static quorum every controller is a voter: add {nodeId}@host:port to it.");
        if (isController && listeners.All(l => l.Name != controllerNames[0]))
            reader.Problem($"This node is a controller, so listeners must include the controller listener {controllerNames[0]}, e.g. {controllerNames[0]}://:9093.");
        if (!isController && listeners.Any(l => l.Kind == ListenerKind.Controller))
            reader.Problem("A node with only the broker role must not open a controller listener: remove it from listeners (it is how this node reaches the controllers, through controller.quorum.voters).");
        if (isBroker && listeners.All(l => l.Kind == ListenerKind.Controller))
            reader.Problem("This node is a broker, so listeners must include a listener for clients, e.g. PLAINTEXT://:9092.");
        if (isBroker && listeners.All(l => l.Name != interBrokerName))
            reader.Problem($"inter.broker.listener.name={interBrokerName} is not one of listeners; name one of them ({string.Join(", ", listeners.Select(l => l.Name))}).");
    }

    private static NodeConfig ReadNodeSettings(ConfigReader reader, List<string> warnings)
    {
        var defaults = new NodeConfig { NodeId = 0, ClusterId = "", Voters = [], AdvertisedBrokerEndpoints = [] };
        long flushIntervalMessages = reader.Long("log.flush.interval.messages", long.MaxValue, min: 1);
        if (flushIntervalMessages != 1 && flushIntervalMessages != long.MaxValue)
            warnings.Add($"log.flush.interval.messages={flushIntervalMessages}: this broker fsyncs before acknowledging only with 1; any other value leaves durability to replication, as Kafka's default does.");
        int groupMinSessionMs = reader.Int("group.min.session.timeout.ms", defaults.GroupMinSessionTimeoutMs, min: 0);
        int groupMaxSessionMs = reader.Int("group.max.session.timeout.ms", defaults.GroupMaxSessionTimeoutMs, min: 0);
        if (groupMinSessionMs > groupMaxSessionMs)
            reader.Problem($"group.min.session.timeout.ms={groupMinSessionMs} is above group.max.session.timeout.ms={groupMaxSessionMs}; make the minimum the smaller one.");
        int replicaFetchWaitMs = reader.Int("replica.fetch.wait.max.ms", defaults.ReplicaFetchWaitMaxMs, min: 0);
        int peerRequestTimeoutMs = reader.Int("controller.quorum.request.timeout.ms", defaults.QuorumRequestTimeoutMs, min: 1);
        // Kafka requires replica.fetch.wait.max.ms below replica.socket.timeout.ms; our peer requests time out at the
        // quorum's. Only a warning: a node without replicated topics never sends a replica fetch.
        if (replicaFetchWaitMs >= peerRequestTimeoutMs)
            warnings.Add($"replica.fetch.wait.max.ms={replicaFetchWaitMs} is not below controller.quorum.request.timeout.ms={peerRequestTimeoutMs}: an idle replica fetch will time out and be retried after replica.fetch.backoff.ms.");
        return defaults with
        {
            NumPartitions = reader.Int("num.partitions", defaults.NumPartitions, min: 1),
            DefaultReplicationFactor = reader.Short("default.replication.factor", defaults.DefaultReplicationFactor, min: 1),
            MinInsyncReplicas = reader.Int("min.insync.replicas", defaults.MinInsyncReplicas, min: 1),
            AutoCreateTopicsEnable = reader.Bool("auto.create.topics.enable", defaults.AutoCreateTopicsEnable),
            MessageMaxBytes = reader.Int("message.max.bytes", defaults.MessageMaxBytes, min: 0),
            // Index entries hold 32-bit positions, so a segment cannot pass 2 GiB (Kafka's limit too).
            LogSegmentBytes = reader.Int("log.segment.bytes", (int)defaults.LogSegmentBytes, min: 14),
            LogRollMs = ReadDuration(reader, "log.roll", defaults.LogRollMs, allowUnlimited: false, withMinutes: false),
            LogRetentionMs = ReadDuration(reader, "log.retention", defaults.LogRetentionMs, allowUnlimited: true, withMinutes: true),
            LogRetentionBytes = reader.Long("log.retention.bytes", defaults.LogRetentionBytes, min: -1),
            LogRetentionCheckIntervalMs = reader.Long("log.retention.check.interval.ms", defaults.LogRetentionCheckIntervalMs, min: 1),
            FlushBeforeAcknowledge = flushIntervalMessages == 1,
            ReplicaLagTimeMaxMs = reader.Long("replica.lag.time.max.ms", defaults.ReplicaLagTimeMaxMs, min: 1),
            ReplicaFetchMaxBytes = reader.Int("replica.fetch.max.bytes", defaults.ReplicaFetchMaxBytes, min: 0),
            ReplicaFetchResponseMaxBytes = reader.Int("replica.fetch.response.max.bytes", defaults.ReplicaFetchResponseMaxBytes, min: 0),
            ReplicaFetchWaitMaxMs = replicaFetchWaitMs,
            ReplicaFetchMinBytes = reader.Int("replica.fetch.min.bytes", defaults.ReplicaFetchMinBytes, min: 1),
            ReplicaFetchBackoffMs = reader.Int("replica.fetch.backoff.ms", defaults.ReplicaFetchBackoffMs, min: 0),
            OffsetsTopicNumPartitions = reader.Int("offsets.topic.num.partitions", defaults.OffsetsTopicNumPartitions, min: 1),
            OffsetsTopicReplicationFactor = reader.Short("offsets.topic.replication.factor", defaults.OffsetsTopicReplicationFactor, min: 1),
            OffsetsRetentionMs = reader.Long("offsets.retention.minutes", defaults.OffsetsRetentionMs / MsPerMinute, min: 1) * MsPerMinute,
            GroupInitialRebalanceDelayMs = reader.Int("group.initial.rebalance.delay.ms", defaults.GroupInitialRebalanceDelayMs, min: 0),
            GroupMinSessionTimeoutMs = groupMinSessionMs,
            GroupMaxSessionTimeoutMs = groupMaxSessionMs,
            QuorumElectionTimeoutMs = reader.Int("controller.quorum.election.timeout.ms", defaults.QuorumElectionTimeoutMs, min: 1),
            QuorumFetchTimeoutMs = reader.Int("controller.quorum.fetch.timeout.ms", defaults.QuorumFetchTimeoutMs, min: 1),
            QuorumRequestTimeoutMs = peerRequestTimeoutMs,
            QuorumRetryBackoffMs = reader.Int("controller.quorum.retry.backoff.ms", defaults.QuorumRetryBackoffMs, min: 0),
            QuorumAppendLingerMs = reader.Int("controller.quorum.append.linger.ms", defaults.QuorumAppendLingerMs, min: 0),
            MetadataMaxIdleIntervalMs = reader.Int("metadata.max.idle.interval.ms", defaults.MetadataMaxIdleIntervalMs, min: 0),
            MetadataSnapshotMaxNewRecordBytes = reader.Long("metadata.log.max.record.bytes.between.snapshots", defaults.MetadataSnapshotMaxNewRecordBytes, min: 1),
            MetadataSnapshotMaxIntervalMs = reader.Long("metadata.log.max.snapshot.interval.ms", defaults.MetadataSnapshotMaxIntervalMs, min: 0),
            MetadataMaxRetentionBytes = reader.Long("metadata.max.retention.bytes", defaults.MetadataMaxRetentionBytes, min: -1),
            MetadataMaxRetentionMs = reader.Long("metadata.max.retention.ms", defaults.MetadataMaxRetentionMs, min: -1),
            BrokerHeartbeatIntervalMs = reader.Int("broker.heartbeat.interval.ms", defaults.BrokerHeartbeatIntervalMs, min: 1),
            BrokerSessionTimeoutMs = reader.Int("broker.session.timeout.ms", defaults.BrokerSessionTimeoutMs, min: 1),
        };
    }

    /// <summary>
    /// <c>PREFIX.ms</c>, else <c>PREFIX.minutes</c>, else <c>PREFIX.hours</c> (Kafka's precedence); -1 means
    /// forever where <paramref name="allowUnlimited"/>.
    /// </summary>
    private static long ReadDuration(ConfigReader reader, string prefix, long defaultMs, bool allowUnlimited, bool withMinutes)
    {
        long min = allowUnlimited ? -1 : 1;
        string[] units = withMinutes ? ["ms", "minutes", "hours"] : ["ms", "hours"];
        long[] msPerUnit = withMinutes ? [1, MsPerMinute, MsPerHour] : [1, MsPerHour];
        int given = Array.FindIndex(units, unit => reader.Has($"{prefix}.{unit}"));
        foreach (string unit in units) reader.Has($"{prefix}.{unit}"); // the ones that lose are not "unknown"
        if (given < 0) return defaultMs;
        long value = reader.Long($"{prefix}.{units[given]}", defaultMs / msPerUnit[given], min);
        return value == -1 ? -1 : value * msPerUnit[given];
    }

    private static void ReportUnread(ConfigReader reader, List<string> warnings)
    {
        var withoutEffect = new List<string>();
        foreach (PropertyEntry entry in reader.Unread())
        {
            if (s_keysWithoutEffect.Contains(entry.Key)) withoutEffect.Add(entry.Key);
            else warnings.Add($"Ignoring unknown setting {entry.Key} (line {entry.LineNumber}).");
        }
        if (withoutEffect.Count > 0)
            warnings.Add($"These settings have no effect in this broker: {string.Join(", ", withoutEffect)}.");
    }

    /// <summary><c>NAME://host:port</c>, <c>NAME://:port</c> or <c>NAME://[v6addr]:port</c>.</summary>
    internal static bool TryParseListener(string text, out string name, out string host, out int port)
    {
        name = host = "";
        port = 0;
        int separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0) return false;
        name = text[..separator];
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return TrySplitHostPort(text[(separator + 3)..], out host, out port);
    }

    internal static bool TrySplitHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        int colon = text.LastIndexOf(':');
        if (colon < 0) return false;
        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        return int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }
}
