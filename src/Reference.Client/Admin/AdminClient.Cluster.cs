using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Protocol.Messages;

namespace Reference.Client.Admin;

/// <summary>The cluster and its KRaft quorum.</summary>
public sealed partial class AdminClient
{
    /// <summary>The topic KRaft keeps the cluster's metadata in; DescribeQuorum asks about its partition 0.</summary>
    public const string MetadataTopic = "__cluster_metadata";

    /// <summary>The cluster id, controller and brokers: DescribeCluster where the broker has it, Metadata otherwise.</summary>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        var connection = await Cluster.ConnectToAnyAsync(cancellationToken);
        if (!connection.Versions.Supports(ApiKey.DescribeCluster))
        {
            ClusterMetadata metadata = await Cluster.RefreshMetadataAsync([], allowAutoTopicCreation: false, cancellationToken);
            return new ClusterDescription(metadata.ClusterId, metadata.ControllerId, metadata.Brokers);
        }
        short version = connection.VersionFor(ApiKey.DescribeCluster);
        var response = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), version, cancellationToken);
        var error = (ErrorCode)response.ErrorCode;
        if (error != ErrorCode.None) throw KafkaApiException.From(error, "Describing the cluster failed", response.ErrorMessage);
        var brokers = response.Brokers.Select(b => new BrokerNode(b.BrokerId, b.Host, b.Port, b.Rack)).OrderBy(b => b.NodeId).ToList();
        return new ClusterDescription(response.ClusterId, response.ControllerId, brokers);
    }

    /// <summary>The metadata quorum's leader, epoch, high watermark, voters and observers (DescribeQuorum).</summary>
    public async Task<QuorumDescription> DescribeQuorumAsync(CancellationToken cancellationToken = default)
    {
        var response = await Cluster.SendToAnyAsync<DescribeQuorumResponse>(ApiKey.DescribeQuorum, _ => new DescribeQuorumRequest
        {
            Topics =
            [
                new DescribeQuorumRequest.TopicData
                {
                    TopicName = MetadataTopic,
                    Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = 0 }],
                },
            ],
        }, cancellationToken);
        var error = (ErrorCode)response.ErrorCode;
        if (error != ErrorCode.None) throw KafkaApiException.From(error, "Describing the metadata quorum failed", response.ErrorMessage);
        var partition = response.Topics.Where(t => t.TopicName == MetadataTopic).SelectMany(t => t.Partitions).FirstOrDefault(p => p.PartitionIndex == 0)
            ?? throw new KafkaProtocolException($"The answer to DescribeQuorum left out {MetadataTopic}-0.");
        var partitionError = (ErrorCode)partition.ErrorCode;
        if (partitionError != ErrorCode.None) throw KafkaApiException.From(partitionError, "Describing the metadata quorum failed", partition.ErrorMessage);
        var endpoints = response.Nodes.ToDictionary(
            n => n.NodeId,
            n => (IReadOnlyList<QuorumListener>)n.Listeners.Select(l => new QuorumListener(l.Name, l.Host, l.Port)).ToList());
        return new QuorumDescription(partition.LeaderId, partition.LeaderEpoch, partition.HighWatermark,
            partition.CurrentVoters.Select(ToReplica).ToList(), partition.Observers.Select(ToReplica).ToList(), endpoints);
    }

    private static QuorumReplica ToReplica(DescribeQuorumResponse.ReplicaState state) =>
        new(state.ReplicaId, state.ReplicaDirectoryId, state.LogEndOffset, state.LastFetchTimestamp, state.LastCaughtUpTimestamp);
}
