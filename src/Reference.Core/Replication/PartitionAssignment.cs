using Reference.Core.Log;
using Reference.Protocol.Primitives;

namespace Reference.Core.Replication;

/// <summary>
/// One partition this node hosts, as the committed metadata says (a PartitionRecord with its
/// PartitionChangeRecords applied, and the topic's resolved configs). The node builds these from its
/// metadata image; the data plane depends on nothing else of the metadata room.
/// </summary>
/// <param name="Partition">Topic name and partition index.</param>
/// <param name="TopicId">The topic's id; a new id under the same name means the topic was deleted and recreated.</param>
/// <param name="LeaderId">The leader's node id, or -1 while the partition has none.</param>
/// <param name="LeaderEpoch">Bumped by the controller on every leader change.</param>
/// <param name="PartitionEpoch">Bumped on every change to the partition (ISR included); AlterPartition carries it.</param>
/// <param name="Replicas">All replicas, in assignment order; this node is one of them.</param>
/// <param name="Isr">The in-sync replicas the controller committed.</param>
/// <param name="Config">The topic's effective log settings.</param>
public sealed record PartitionAssignment(
    TopicPartition Partition,
    Uuid TopicId,
    int LeaderId,
    int LeaderEpoch,
    int PartitionEpoch,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> Isr,
    TopicLogConfig Config);
