namespace Reference.Core.Metadata;

/// <summary>Kafka's <c>ConfigResource.Type</c> codes, as ConfigRecord, DescribeConfigs and AlterConfigs carry them.</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}

/// <summary>
/// What a configuration belongs to: a topic by name, or a broker by id (the empty name is the cluster-wide
/// broker default). Ordered by type, then name (ordinal), so config maps iterate deterministically.
/// </summary>
public readonly record struct ConfigResource(ConfigResourceType Type, string Name) : IComparable<ConfigResource>
{
    /// <summary>The resource name of the dynamic default every broker falls back to.</summary>
    public const string ClusterDefaultBrokerName = "";

    public static ConfigResource ForTopic(string topic) => new(ConfigResourceType.Topic, topic);

    public static ConfigResource ForBroker(int brokerId) => new(ConfigResourceType.Broker, brokerId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static ConfigResource ClusterDefaultBroker => new(ConfigResourceType.Broker, ClusterDefaultBrokerName);

    public int CompareTo(ConfigResource other)
    {
        int byType = Type.CompareTo(other.Type);
        return byType != 0 ? byType : string.CompareOrdinal(Name, other.Name);
    }
}
