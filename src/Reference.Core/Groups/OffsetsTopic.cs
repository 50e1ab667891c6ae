namespace Reference.Core.Groups;

/// <summary>
/// Where a group lives: one partition of <c>__consumer_offsets</c>, chosen exactly as Kafka chooses it
/// (<c>GroupMetadataManager.partitionFor</c>: <c>Utils.abs(groupId.hashCode) % partitionCount</c>), so that
/// our brokers and Kafka's agree on a group's coordinator given the same partition count.
/// </summary>
public static class OffsetsTopic
{
    /// <summary>The internal topic holding committed offsets and group metadata.</summary>
    public const string Name = "__consumer_offsets";

    public static int PartitionFor(string groupId, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(groupId);
        if (partitionCount <= 0) throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount, "the topic needs a partition");
        int partition = KafkaAbs(JavaStringHashCode(groupId)) % partitionCount;
        GroupInvariant.Check(partition >= 0 && partition < partitionCount, "a group's partition is in range");
        return partition;
    }

    /// <summary>
    /// Java's <c>String.hashCode</c>: <c>s[0]*31^(n-1) + ... + s[n-1]</c> over UTF-16 code units with int
    /// overflow. C# strings are UTF-16 too, so a character outside the BMP counts as its two surrogates, as in Java.
    /// </summary>
    public static int JavaStringHashCode(string value)
    {
        int hash = 0;
        foreach (char unit in value) hash = unchecked(31 * hash + unit);
        return hash;
    }

    /// <summary>
    /// Kafka's <c>Utils.abs</c>: <c>Math.abs</c> except that <c>int.MinValue</c>, which has no positive
    /// counterpart, maps to 0 (so the group "polygenelubricants" lives in partition 0).
    /// </summary>
    public static int KafkaAbs(int value) => value == int.MinValue ? 0 : Math.Abs(value);
}
