using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>FetchSnapshot (KIP-630) as the KRaft replica sends and answers it: one topic, <c>__cluster_metadata</c>, one partition.</summary>
internal static class SnapshotMessages
{
    /// <summary>v1 adds the replica's directory id and the leader's endpoints (KIP-853), both tagged.</summary>
    public const short FetchSnapshotVersion = 1;

    public static FetchSnapshotRequest Request(string clusterId, int replicaId, int epoch, OffsetAndEpoch snapshotId, long position, int maxBytes) => new()
    {
        ClusterId = clusterId,
        ReplicaId = replicaId,
        MaxBytes = maxBytes,
        Topics =
        [
            new FetchSnapshotRequest.TopicSnapshot
            {
                Name = RaftLog.Partition.Topic,
                Partitions =
                [
                    new FetchSnapshotRequest.PartitionSnapshot
                    {
                        Partition = RaftLog.Partition.Partition,
                        CurrentLeaderEpoch = epoch,
                        SnapshotId = new FetchSnapshotRequest.SnapshotId { EndOffset = snapshotId.Offset, Epoch = snapshotId.Epoch },
                        Position = position,
                    },
                ],
            },
        ],
    };

    /// <summary>The request's only partition when it is the metadata partition; else null.</summary>
    public static FetchSnapshotRequest.PartitionSnapshot? MetadataPartition(FetchSnapshotRequest request) =>
        request.Topics is [{ Partitions: [var partition] } topic] && RaftMessages.IsMetadataPartition(topic.Name, partition.Partition) ? partition : null;

    public static FetchSnapshotResponse.PartitionSnapshot? MetadataPartition(FetchSnapshotResponse response) =>
        response.Topics is [{ Partitions: [var partition] } topic] && RaftMessages.IsMetadataPartition(topic.Name, partition.Index) ? partition : null;

    public static FetchSnapshotResponse Response(ErrorCode topLevel) => new() { ErrorCode = (short)topLevel };

    /// <summary>The one-partition answer, with the leader's endpoint when this node knows it.</summary>
    public static FetchSnapshotResponse Response(FetchSnapshotResponse.PartitionSnapshot partition, string topicName, VoterAddress? leaderAddress) => new()
    {
        Topics = [new FetchSnapshotResponse.TopicSnapshot { Name = topicName, Partitions = [partition] }],
        NodeEndpoints = leaderAddress is null
            ? []
            : [new FetchSnapshotResponse.NodeEndpoint { NodeId = leaderAddress.NodeId, Host = leaderAddress.Host, Port = (ushort)leaderAddress.Port }],
    };
}
