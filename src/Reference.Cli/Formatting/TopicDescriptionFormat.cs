using System.Globalization;
using Reference.Client.Admin;
using Reference.Client.Metadata;
using Reference.Protocol.Primitives;

namespace Reference.Cli.Formatting;

/// <summary>
/// `kafka-topics.sh --describe` output (TopicCommand's TopicDescription and PartitionDescription): one
/// tab-separated line per topic, then one per partition, each starting with a tab.
/// </summary>
public static class TopicDescriptionFormat
{
    /// <summary>The lines for one topic; <paramref name="configs"/> may hold defaults, which are left out.</summary>
    public static IEnumerable<string> Lines(TopicMetadata topic, IReadOnlyList<ConfigEntry> configs)
    {
        yield return TopicLine(topic, configs);
        foreach (PartitionMetadata partition in topic.Partitions) yield return PartitionLine(topic.Name, partition);
    }

    public static string TopicLine(TopicMetadata topic, IReadOnlyList<ConfigEntry> configs)
    {
        // Kafka takes the replication factor from the first partition's replica list.
        int replicationFactor = topic.Partitions.Count > 0 ? topic.Partitions[0].Replicas.Count : 0;
        string overrides = string.Join(",", configs.Where(c => !c.IsDefault).Select(c => $"{c.Name}={c.Value ?? "null"}"));
        string topicId = topic.TopicId == Uuid.Zero ? "" : $"\tTopicId: {topic.TopicId}";
        return $"Topic: {topic.Name}{topicId}\tPartitionCount: {topic.Partitions.Count}\tReplicationFactor: {replicationFactor}\tConfigs: {overrides}";
    }

    /// <summary>
    /// One partition, with Kafka 3.7+'s Elr and LastKnownElr columns (KIP-966): the ids from
    /// DescribeTopicPartitions, possibly none, or N/A when the partition was described through Metadata (a
    /// broker without that API), as Kafka's TopicCommand prints them.
    /// </summary>
    public static string PartitionLine(string topic, PartitionMetadata partition)
    {
        string leader = partition.HasLeader ? partition.LeaderId.ToString(CultureInfo.InvariantCulture) : "none";
        return $"\tTopic: {topic}\tPartition: {partition.Partition}\tLeader: {leader}\tReplicas: {Join(partition.Replicas)}\tIsr: {Join(partition.Isr)}"
            + $"\tElr: {JoinOrNotAvailable(partition.Elr)}\tLastKnownElr: {JoinOrNotAvailable(partition.LastKnownElr)}";
    }

    private static string Join(IReadOnlyList<int> ids) => string.Join(",", ids);

    private static string JoinOrNotAvailable(IReadOnlyList<int>? ids) => ids is null ? "N/A" : Join(ids);
}
