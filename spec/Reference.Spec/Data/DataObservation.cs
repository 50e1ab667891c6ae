using Reference.Core;
using Reference.Core.Groups;
using Reference.Core.Log;
using Reference.Core.Metadata;
using Reference.Simulation.Monitors;
using Reference.Simulation.Workload;
using Reference.Simulation.Workload.Data;

namespace Reference.Spec.Data;

/// <summary>
/// What the data-plane history checks read of the cluster after one event: the event, the history entry it
/// recorded (one per event, when a client recorded one) and every node's disk. The checks read this rather
/// than <see cref="ClusterView"/> itself so a test can hand them a crafted run and prove each can fail.
/// </summary>
/// <param name="OffsetsLog">The <c>__consumer_offsets</c> partition that holds the workload group's commits.</param>
public sealed record DataObservation(long NowMs, SimulationEvent LastEvent, IReadOnlyList<DataNodeReading> Nodes, TopicPartition OffsetsLog)
{
    /// <summary>The history entry this event recorded, or null.</summary>
    public HistoryEntry? Entry => LastEvent is SimulationEvent.HistoryRecorded recorded ? recorded.Entry : null;

    /// <summary>
    /// The leader of <see cref="OffsetsLog"/>, so the group's coordinator, in the newest committed metadata any
    /// running node has applied; null when no node knows one. Read only for events that recorded history.
    /// </summary>
    public int? OffsetsCoordinator { get; init; }

    /// <summary><c>__consumer_offsets</c>' min.insync.replicas (the brokers' default, which the topic takes); null when unknown.</summary>
    public int? OffsetsMinInsyncReplicas { get; init; }

    public static DataObservation Of(ClusterView view)
    {
        TopicPartition offsetsLog = OffsetsLogFor(view.Nodes.Count > 0 ? view.Nodes[0].Config.OffsetsTopicNumPartitions : 50);
        return new(view.NowMs, view.LastEvent, view.Nodes.Select(n => new DataNodeReading(n.NodeId, n.Storage)).ToList(), offsetsLog)
        {
            OffsetsCoordinator = view.LastEvent is SimulationEvent.HistoryRecorded ? NewestLeader(view, offsetsLog) : null,
            OffsetsMinInsyncReplicas = view.Nodes.Count > 0 ? view.Nodes[0].Config.MinInsyncReplicas : null,
        };
    }

    private static int? NewestLeader(ClusterView view, TopicPartition log)
    {
        MetadataImage? newest = null;
        foreach (NodeView node in view.Nodes)
            if (node.Node is Core.Node.Node running && (newest is null || running.Metadata.Offset > newest.Offset)) newest = running.Metadata;
        return newest?.Partition(log) is { HasLeader: true } partition ? partition.Leader : null;
    }

    public static TopicPartition OffsetsLogFor(int offsetsTopicPartitions) =>
        new(OffsetsTopic.Name, OffsetsTopic.PartitionFor(DataOperation.GroupId, offsetsTopicPartitions));
}

/// <param name="Storage">
/// The node's disk, as the last event left it (a crash has already cut its unflushed tail). A restart with
/// an empty disk gives the node a new storage object.
/// </param>
public sealed record DataNodeReading(int NodeId, ILogStorage Storage);
