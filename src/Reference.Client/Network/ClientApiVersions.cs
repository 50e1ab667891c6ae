using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Client.Network;

/// <summary>
/// The versions of each API this client knows how to fill in and read. A connection uses, per API, the
/// highest version in both this table and the broker's ApiVersions answer. The ranges stop where a later
/// version changes meaning in a way the request builders here do not handle (Fetch 13+ names topics by id;
/// OffsetFetch 8+ batches groups; OffsetCommit 9+ belongs to the KIP-848 protocol).
/// </summary>
public static class ClientApiVersions
{
    private static readonly SortedDictionary<ApiKey, VersionRange> Ranges = new()
    {
        [ApiKey.Produce] = new(3, 11),
        [ApiKey.Fetch] = new(4, 12),
        [ApiKey.ListOffsets] = new(1, 10),
        [ApiKey.Metadata] = new(1, 12),
        [ApiKey.OffsetCommit] = new(2, 8),
        [ApiKey.OffsetFetch] = new(1, 7),
        [ApiKey.FindCoordinator] = new(0, 6),
        [ApiKey.JoinGroup] = new(0, 9),
        [ApiKey.Heartbeat] = new(0, 4),
        [ApiKey.LeaveGroup] = new(0, 5),
        [ApiKey.SyncGroup] = new(0, 5),
        [ApiKey.DescribeGroups] = new(0, 5),
        [ApiKey.ListGroups] = new(0, 5),
        [ApiKey.ApiVersions] = new(0, 3),
        [ApiKey.CreateTopics] = new(2, 7),
        [ApiKey.DeleteTopics] = new(0, 6),
        [ApiKey.DescribeConfigs] = new(0, 4),
        [ApiKey.CreatePartitions] = new(0, 3),
        [ApiKey.DeleteGroups] = new(0, 2),
        [ApiKey.DescribeQuorum] = new(0, 2),
        [ApiKey.DescribeCluster] = new(0, 1),
        [ApiKey.DescribeTopicPartitions] = new(0, 0),
    };

    /// <summary>The version ApiVersions is first sent in; v3 carries the client's name (KIP-511).</summary>
    public const short ApiVersionsFirstTry = 3;

    public static bool TryGetRange(ApiKey key, out VersionRange range) => Ranges.TryGetValue(key, out range);

    public static IEnumerable<KeyValuePair<ApiKey, VersionRange>> Entries => Ranges;
}
