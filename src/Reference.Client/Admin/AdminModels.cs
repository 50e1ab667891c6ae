using Reference.Client.Metadata;
using Reference.Protocol.Primitives;

namespace Reference.Client.Admin;

/// <summary>A topic to create; null counts take the broker's defaults (num.partitions, default.replication.factor).</summary>
public sealed record NewTopic(string Name, int? Partitions = null, short? ReplicationFactor = null)
{
    public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();
}

/// <summary>Where a config value comes from (DescribeConfigs' ConfigSource).</summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
    ClientMetricsConfig = 7,
    GroupConfig = 8,
}

/// <summary>One config of a resource. Kafka's tools list the entries that are not defaults.</summary>
public sealed record ConfigEntry(string Name, string? Value, ConfigSource Source, bool IsSensitive, bool IsReadOnly)
{
    public bool IsDefault => Source == ConfigSource.DefaultConfig;
}

/// <summary>A group as ListGroups reports it.</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, string State);

/// <summary>A member of a group, with its assignment decoded when the group is a consumer group.</summary>
public sealed record MemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string Host, IReadOnlyList<TopicPartition> Assignment);

/// <summary>
/// A group as DescribeGroups reports it. State is Kafka's name (Stable, Empty, PreparingRebalance,
/// CompletingRebalance, Dead); Protocol is the assignment strategy chosen (e.g. range).
/// </summary>
public sealed record GroupDescription(
    string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<MemberDescription> Members, BrokerNode Coordinator);

/// <summary>The cluster's id, active controller (or a broker, when brokers hide the controller) and brokers.</summary>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerNode> Brokers);

/// <summary>A replica of the metadata log as the quorum leader sees it; timestamps are -1 when unknown.</summary>
public sealed record QuorumReplica(int ReplicaId, Uuid DirectoryId, long LogEndOffset, long LastFetchTimestampMs, long LastCaughtUpTimestampMs);

/// <summary>A listener of a quorum node (DescribeQuorum v2).</summary>
public sealed record QuorumListener(string Name, string Host, int Port)
{
    /// <summary>As Kafka prints a voter endpoint: NAME://host:port, brackets around an IPv6 host.</summary>
    public override string ToString() => $"{Name}://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}";
}

/// <summary>The state of the KRaft metadata quorum (DescribeQuorum).</summary>
public sealed record QuorumDescription(
    int LeaderId,
    int LeaderEpoch,
    long HighWatermark,
    IReadOnlyList<QuorumReplica> Voters,
    IReadOnlyList<QuorumReplica> Observers,
    IReadOnlyDictionary<int, IReadOnlyList<QuorumListener>> Endpoints);
