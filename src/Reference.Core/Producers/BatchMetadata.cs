namespace Reference.Core.Producers;

/// <summary>
/// What the leader remembers of one appended idempotent batch (Kafka's <c>BatchMetadata</c>): enough to
/// recognise a retry of it and to answer the retry with the offsets the original got.
/// </summary>
public readonly record struct BatchMetadata(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long TimestampMs);
