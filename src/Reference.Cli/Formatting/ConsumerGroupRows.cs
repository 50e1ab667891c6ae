using Reference.Client;
using Reference.Client.Admin;

namespace Reference.Cli.Formatting;

/// <summary>
/// Turns a described group and its offsets into the rows kafka-consumer-groups.sh prints
/// (ConsumerGroupCommand.collectGroupsOffsets and collectGroupsMembers).
/// </summary>
public static class ConsumerGroupRows
{
    /// <summary>
    /// Assigned partitions first, member by member (members with more partitions first, each member's
    /// partitions by topic and partition), then committed partitions nobody is assigned, with "-" for the member.
    /// </summary>
    public static List<PartitionOffsetRow> Offsets(
        GroupDescription group, IReadOnlyDictionary<TopicPartition, long> committed, IReadOnlyDictionary<TopicPartition, long> logEndOffsets)
    {
        var rows = new List<PartitionOffsetRow>();
        var assigned = new HashSet<TopicPartition>();
        foreach (MemberDescription member in group.Members.Where(m => m.Assignment.Count > 0).OrderByDescending(m => m.Assignment.Count))
        {
            foreach (TopicPartition partition in member.Assignment.Order())
            {
                assigned.Add(partition);
                rows.Add(Row(group.GroupId, partition, committed, logEndOffsets, member.MemberId, member.Host, member.ClientId));
            }
        }
        foreach (TopicPartition partition in committed.Keys.Where(p => !assigned.Contains(p)).Order())
            rows.Add(Row(group.GroupId, partition, committed, logEndOffsets, null, null, null));
        return rows;
    }

    public static List<MemberRow> Members(GroupDescription group) =>
        group.Members.Select(m => new MemberRow(group.GroupId, m.MemberId, m.GroupInstanceId ?? "", m.Host, m.ClientId, m.Assignment.Count)).ToList();

    public static GroupStateRow State(GroupDescription group) =>
        new(group.GroupId, group.Coordinator.Host, group.Coordinator.Port, group.Coordinator.NodeId, group.Protocol, group.State, group.Members.Count);

    private static PartitionOffsetRow Row(
        string group, TopicPartition partition, IReadOnlyDictionary<TopicPartition, long> committed,
        IReadOnlyDictionary<TopicPartition, long> logEndOffsets, string? consumerId, string? host, string? clientId) =>
        new(group, partition.Topic, partition.Partition,
            committed.TryGetValue(partition, out long current) ? current : null,
            logEndOffsets.TryGetValue(partition, out long end) ? end : null,
            consumerId ?? ConsumerGroupTables.Missing, host ?? ConsumerGroupTables.Missing, clientId ?? ConsumerGroupTables.Missing);
}
