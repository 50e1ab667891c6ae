using Reference.Client.Errors;
using Reference.Client.Network;

namespace Reference.Client.Metadata;

/// <summary>Partitions grouped by the broker that leads them, and those that have no leader now.</summary>
internal sealed record LeaderGroups(SortedDictionary<int, List<TopicPartition>> ByLeader, List<TopicPartition> Leaderless);

/// <summary>Finds the leader of each partition from metadata, asking the cluster when a topic is not cached.</summary>
internal static class LeaderRouting
{
    public static async Task<LeaderGroups> GroupByLeaderAsync(ClusterClient cluster, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var wanted = partitions.Distinct().Order().ToList();
        var missingTopics = wanted.Select(p => p.Topic).Distinct()
            .Where(topic => cluster.CachedMetadata?.Topic(topic) is not { Error: ErrorCode.None })
            .ToList();
        if (missingTopics.Count > 0) await cluster.RefreshMetadataAsync(missingTopics, allowAutoTopicCreation: false, cancellationToken);
        var byLeader = new SortedDictionary<int, List<TopicPartition>>();
        var leaderless = new List<TopicPartition>();
        foreach (TopicPartition partition in wanted)
        {
            PartitionMetadata? known = cluster.CachedMetadata?.Topic(partition.Topic)?.Partitions.FirstOrDefault(p => p.Partition == partition.Partition);
            if (known is not { HasLeader: true })
            {
                leaderless.Add(partition);
                continue;
            }
            if (!byLeader.TryGetValue(known.LeaderId, out var list)) byLeader[known.LeaderId] = list = [];
            list.Add(partition);
        }
        return new LeaderGroups(byLeader, leaderless);
    }

    /// <summary>Refreshes the topics' metadata, ignoring failure (the caller's next try reports it).</summary>
    public static async Task RefreshQuietlyAsync(ClusterClient cluster, IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        try
        {
            await cluster.RefreshMetadataAsync(topics.Distinct().ToList(), allowAutoTopicCreation: false, cancellationToken);
        }
        catch (KafkaClientException)
        {
        }
    }
}
