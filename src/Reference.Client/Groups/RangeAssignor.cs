namespace Reference.Client.Groups;

/// <summary>
/// Kafka's "range" assignor (RangeAssignor.java), as the group leader runs it: for each topic, the members
/// subscribed to it in member-id order each get a contiguous range of partitions; the first
/// <c>partitions % members</c> of them get one extra. Pure: the same input always gives the same output.
/// </summary>
public static class RangeAssignor
{
    public const string Name = "range";

    /// <param name="subscriptions">Each member's subscribed topics.</param>
    /// <param name="partitionCounts">How many partitions each topic has; topics missing here are not assigned.</param>
    /// <returns>Every member, each with its partitions in order (possibly none).</returns>
    public static SortedDictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var assignment = new SortedDictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (string member in subscriptions.Keys) assignment[member] = [];
        var topics = subscriptions.Values.SelectMany(t => t).Distinct().Order(StringComparer.Ordinal);
        foreach (string topic in topics)
        {
            if (!partitionCounts.TryGetValue(topic, out int partitionCount) || partitionCount <= 0) continue;
            var members = subscriptions.Where(s => s.Value.Contains(topic)).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
            int perMember = partitionCount / members.Count;
            int withExtra = partitionCount % members.Count;
            for (int i = 0; i < members.Count; i++)
            {
                int start = perMember * i + Math.Min(i, withExtra);
                int length = perMember + (i < withExtra ? 1 : 0);
                for (int partition = start; partition < start + length; partition++)
                    assignment[members[i]].Add(new TopicPartition(topic, partition));
            }
        }
        return assignment;
    }
}
