using Reference.Core;
using Reference.Protocol.Records;

namespace Reference.Simulation.Storage;

/// <summary>
/// A stored batch failed its CRC (or is torn) when read. The disk never serves it: like Kafka's
/// KafkaStorageException taking a log directory offline, the simulator stops the node, and recovery on
/// restart cuts the log there; Raft must then repair the node from its peers.
/// </summary>
public sealed class LogCorruptionException(TopicPartition log, long batchBaseOffset, RecordBatchError reason)
    : Exception($"batch at offset {batchBaseOffset} of {log} fails its check on read: {reason}")
{
    public TopicPartition Log { get; } = log;
    public long BatchBaseOffset { get; } = batchBaseOffset;
    public RecordBatchError Reason { get; } = reason;
}
