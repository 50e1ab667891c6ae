using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Framing;

/// <summary>
/// The API versions a listener advertises in ApiVersions, min and max per key. The minimums matter as much
/// as the maximums: librdkafka 2.0.2 enables a feature only when, for every API it depends on, its own range
/// overlaps ours (rd_kafka_features_check). Advertising FindCoordinator 3+ or JoinGroup 5+ would silently
/// turn off its consumer groups and LZ4, so the small group RPCs start at 0 and Produce/Fetch start low
/// enough (Produce 3, Fetch 4) for record batch v2 (research/kafka-protocol-scope.md §0 and §7).
/// Produce starts at 0, lower than that note asks: captures of kcat showed librdkafka 2.0.2 sends gzip,
/// snappy and lz4 batches uncompressed unless the broker's Produce range starts at 0. Clients still pick
/// their highest version (7); a produce carrying an old message format (magic 0 or 1) is refused.
/// A listener must answer every version it lists; the broker's dispatcher checks that it has a handler
/// for each key here.
/// </summary>
public sealed class ApiVersionTable
{
    private readonly SortedDictionary<ApiKey, VersionRange> _ranges;

    private ApiVersionTable(SortedDictionary<ApiKey, VersionRange> ranges)
    {
        foreach (var (key, range) in ranges)
        {
            VersionRange schema = ApiMessages.SchemaVersions(key);
            if (range.IsEmpty || !schema.Contains(range.Lowest) || !schema.Contains(range.Highest))
                throw new InvalidOperationException($"{key} {range} is outside its schema's {schema}");
        }
        _ranges = ranges;
    }

    /// <summary>What clients (kcat, librdkafka, kafkajs, our CLI) see on a broker listener.</summary>
    public static ApiVersionTable BrokerListener { get; } = new(new()
    {
        [ApiKey.Produce] = new(0, 9),
        // Up to 17, as on the controller listener: the inter-broker listener is a broker listener, and
        // followers' replica fetches (ReplicaFetcher.FetchVersion: topic ids, KIP-903's ReplicaState) arrive
        // here. The clients we test cap themselves lower (librdkafka 2.0.2 and kafkajs at 11, ours at 12).
        [ApiKey.Fetch] = new(4, 17),
        [ApiKey.ListOffsets] = new(1, 6),
        [ApiKey.Metadata] = new(0, 12),
        [ApiKey.OffsetCommit] = new(0, 8),
        [ApiKey.OffsetFetch] = new(1, 8),
        [ApiKey.FindCoordinator] = new(0, 4),
        [ApiKey.JoinGroup] = new(0, 9),
        [ApiKey.Heartbeat] = new(0, 4),
        [ApiKey.LeaveGroup] = new(0, 5),
        [ApiKey.SyncGroup] = new(0, 5),
        [ApiKey.DescribeGroups] = new(0, 5),
        [ApiKey.ListGroups] = new(0, 5),
        [ApiKey.ApiVersions] = new(0, 3),
        [ApiKey.CreateTopics] = new(0, 7),
        [ApiKey.DeleteTopics] = new(0, 6),
        [ApiKey.DeleteRecords] = new(0, 2),
        [ApiKey.InitProducerId] = new(0, 4),
        [ApiKey.DescribeConfigs] = new(0, 4),
        [ApiKey.AlterConfigs] = new(0, 2),
        [ApiKey.CreatePartitions] = new(0, 3),
        [ApiKey.DeleteGroups] = new(0, 2),
        [ApiKey.IncrementalAlterConfigs] = new(0, 1),
        [ApiKey.OffsetDelete] = new(0, 0),
        [ApiKey.DescribeQuorum] = new(0, 2),
        [ApiKey.DescribeCluster] = new(0, 1),
        // KIP-966's view of a partition with its eligible leader replicas; Kafka 3.7+'s kafka-topics --describe.
        [ApiKey.DescribeTopicPartitions] = new(0, 0),
    });

    /// <summary>What KRaft peers and admin tools see on a controller listener.</summary>
    public static ApiVersionTable ControllerListener { get; } = new(new()
    {
        [ApiKey.Fetch] = new(12, 17),
        [ApiKey.ApiVersions] = new(0, 3),
        [ApiKey.Vote] = new(0, 2),
        [ApiKey.BeginQuorumEpoch] = new(0, 1),
        [ApiKey.EndQuorumEpoch] = new(0, 1),
        [ApiKey.DescribeQuorum] = new(0, 2),
        [ApiKey.AlterPartition] = new(0, 3),
        [ApiKey.FetchSnapshot] = new(0, 1),
        [ApiKey.BrokerRegistration] = new(0, 4),
        [ApiKey.BrokerHeartbeat] = new(0, 1),
        [ApiKey.UnregisterBroker] = new(0, 0),
        [ApiKey.AllocateProducerIds] = new(0, 0),
        [ApiKey.ControllerRegistration] = new(0, 0),
        [ApiKey.CreateTopics] = new(0, 7),
        [ApiKey.DeleteTopics] = new(0, 6),
        [ApiKey.CreatePartitions] = new(0, 3),
    });

    public IEnumerable<KeyValuePair<ApiKey, VersionRange>> Entries => _ranges;

    public bool TryGetRange(ApiKey key, out VersionRange range) => _ranges.TryGetValue(key, out range);

    public bool Supports(ApiKey key, short version) => _ranges.TryGetValue(key, out VersionRange range) && range.Contains(version);

    /// <summary>The ApiVersions response body listing this table (the caller adds error code and throttle).</summary>
    public List<ApiVersionsResponse.ApiVersion> ToResponseEntries() =>
        _ranges.Select(entry => new ApiVersionsResponse.ApiVersion
        {
            ApiKey = (short)entry.Key,
            MinVersion = entry.Value.Lowest,
            MaxVersion = entry.Value.Highest,
        }).ToList();
}
