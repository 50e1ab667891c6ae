namespace Reference.Client;

/// <summary>A partition of a topic, printed as Kafka prints it: topic-partition.</summary>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    public int CompareTo(TopicPartition other)
    {
        int byTopic = string.CompareOrdinal(Topic, other.Topic);
        return byTopic != 0 ? byTopic : Partition.CompareTo(other.Partition);
    }

    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>Where to start reading a partition: its first offset, its end, or a given offset.</summary>
public readonly record struct OffsetSpec
{
    /// <summary>ListOffsets' timestamp for the log start offset.</summary>
    public const long EarliestTimestamp = -2;

    /// <summary>ListOffsets' timestamp for the log end offset.</summary>
    public const long LatestTimestamp = -1;

    private OffsetSpec(long value, bool isExact)
    {
        Value = value;
        IsExact = isExact;
    }

    public static OffsetSpec Earliest { get; } = new(EarliestTimestamp, false);

    public static OffsetSpec Latest { get; } = new(LatestTimestamp, false);

    public static OffsetSpec At(long offset) =>
        offset >= 0 ? new OffsetSpec(offset, true) : throw new ArgumentOutOfRangeException(nameof(offset), offset, "an offset is never negative");

    /// <summary>The offset itself when exact; otherwise the ListOffsets timestamp (-2 or -1).</summary>
    public long Value { get; }

    public bool IsExact { get; }

    public override string ToString() => IsExact ? Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : Value == EarliestTimestamp ? "earliest" : "latest";
}
