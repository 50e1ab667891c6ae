using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Protocol.Messages;

namespace Reference.Client.Consumer;

/// <summary>ListOffsets: a partition's earliest or latest offset, asked of its leader.</summary>
internal static class OffsetLookup
{
    public static async Task<Dictionary<TopicPartition, long>> ListAsync(
        ClusterClient cluster, IReadOnlyCollection<TopicPartition> partitions, OffsetSpec spec, CancellationToken cancellationToken)
    {
        var found = new Dictionary<TopicPartition, long>();
        if (spec.IsExact)
        {
            foreach (TopicPartition partition in partitions) found[partition] = spec.Value;
            return found;
        }
        List<TopicPartition> pending = partitions.Distinct().ToList();
        string lastFailure = "";
        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            if (attempt > cluster.Options.AttemptsMax)
                throw new KafkaClientException($"Listing the {spec} offsets of {string.Join(", ", pending)} failed after {cluster.Options.AttemptsMax} attempts: {lastFailure}");
            if (attempt > 1)
            {
                await Task.Delay(cluster.Options.RetryBackoffMs, cancellationToken);
                await LeaderRouting.RefreshQuietlyAsync(cluster, pending.Select(p => p.Topic), cancellationToken);
            }
            LeaderGroups groups = await LeaderRouting.GroupByLeaderAsync(cluster, pending, cancellationToken);
            var retry = new List<TopicPartition>(groups.Leaderless);
            if (groups.Leaderless.Count > 0) lastFailure = $"{groups.Leaderless[0]} has no leader";
            foreach (var (leader, leaderPartitions) in groups.ByLeader)
            {
                ListOffsetsResponse response = await cluster.SendToNodeAsync<ListOffsetsResponse>(
                    leader, ApiKey.ListOffsets, _ => BuildRequest(leaderPartitions, spec, cluster.Options.RequestTimeoutMs), cancellationToken);
                foreach (var topic in response.Topics)
                foreach (var answer in topic.Partitions)
                {
                    var partition = new TopicPartition(topic.Name, answer.PartitionIndex);
                    var error = (ErrorCode)answer.ErrorCode;
                    if (error == ErrorCode.None) found[partition] = answer.Offset;
                    else if (ErrorCodes.IsRetriable(error))
                    {
                        retry.Add(partition);
                        lastFailure = $"{partition}: {ErrorCodes.Describe(error)} ({error})";
                    }
                    else throw KafkaApiException.From(error, $"Listing the {spec} offset of {partition} failed");
                }
                retry.AddRange(leaderPartitions.Where(p => !found.ContainsKey(p) && !retry.Contains(p)));
            }
            pending = retry;
        }
        return found;
    }

    private static ListOffsetsRequest BuildRequest(List<TopicPartition> partitions, OffsetSpec spec, int timeoutMs) => new()
    {
        ReplicaId = -1,
        IsolationLevel = 0,
        TimeoutMs = timeoutMs,
        Topics = partitions
            .GroupBy(p => p.Topic, StringComparer.Ordinal)
            .Select(topic => new ListOffsetsRequest.ListOffsetsTopic
            {
                Name = topic.Key,
                Partitions = topic.Select(p => new ListOffsetsRequest.ListOffsetsPartition
                {
                    PartitionIndex = p.Partition,
                    Timestamp = spec.Value,
                }).ToList(),
            }).ToList(),
    };
}
