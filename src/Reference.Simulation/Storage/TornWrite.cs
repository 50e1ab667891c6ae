using Reference.Core;

namespace Reference.Simulation.Storage;

/// <summary>At a crash, how many bytes of a log's unflushed tail reached the disk anyway.</summary>
public sealed record TornWrite(TopicPartition Log, int KeptUnflushedBytes);
