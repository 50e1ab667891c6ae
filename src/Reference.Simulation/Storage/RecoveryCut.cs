using Reference.Core;
using Reference.Protocol.Records;

namespace Reference.Simulation.Storage;

/// <summary>Where recovery cut a log, and the check the first dropped batch failed.</summary>
public sealed record RecoveryCut(TopicPartition Log, long EndOffset, RecordBatchError Reason);
