namespace Reference.Client.Records;

/// <summary>A record header: a string key and bytes (or null).</summary>
public sealed record RecordHeader(string Key, byte[]? Value);

/// <summary>How a record's timestamp was set (Kafka prints these names).</summary>
public enum TimestampType
{
    CreateTime = 0,
    LogAppendTime = 1,
}

/// <summary>A record to send. Partition null lets the producer choose (by key hash, or sticky when keyless).</summary>
public sealed record ProducerRecord(string Topic, byte[]? Key, byte[]? Value)
{
    public IReadOnlyList<RecordHeader> Headers { get; init; } = [];

    public int? Partition { get; init; }

    /// <summary>CreateTime in ms since the epoch; null means the time the producer takes the record.</summary>
    public long? TimestampMs { get; init; }
}

/// <summary>Where a sent record was written. Offset is -1 with acks=0, which gets no answer.</summary>
public sealed record RecordMetadata(string Topic, int Partition, long Offset);

/// <summary>A record read from a partition.</summary>
public sealed record ConsumerRecord(
    string Topic,
    int Partition,
    long Offset,
    long TimestampMs,
    TimestampType TimestampType,
    byte[]? Key,
    byte[]? Value,
    IReadOnlyList<RecordHeader> Headers);
