using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Producers;

namespace Reference.Core.Replication;

/// <summary>
/// Loads, on start, every partition log the storage holds (Kafka's <c>LogManager.loadLogs</c>): offsets,
/// the leader-epoch cache and the producer state. They stay unassigned until the metadata names them.
/// The KRaft metadata log lives in the same storage and belongs to Raft, so it is skipped.
/// </summary>
internal static class PartitionLoader
{
    public static IEnumerable<Partition> Load(ILogStorage storage, NodeConfig config)
    {
        foreach (TopicPartition name in storage.Logs)
        {
            if (name == TopicPartition.ClusterMetadata) continue;
            LogExtent extent = storage.Extent(name);
            var log = new PartitionLog(name, extent, storage.LeaderEpochs(name));
            yield return new Partition(config.NodeId, log, ProducerStateLoader.Load(storage, name, extent), TopicLogConfig.Defaults(config));
        }
    }

    /// <summary>A partition new to this node, or recreated under a new topic id: an empty log.</summary>
    public static Partition Empty(TopicPartition name, NodeConfig config, TopicLogConfig topicConfig) =>
        new(config.NodeId, new PartitionLog(name, default, []), new ProducerStateTable(), topicConfig);
}
