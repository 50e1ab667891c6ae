using Reference.Client.Consumer;
using Reference.Client.Errors;
using Reference.Client.Groups;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Protocol.Messages;

namespace Reference.Client.Admin;

/// <summary>Consumer groups and their offsets.</summary>
public sealed partial class AdminClient
{
    /// <summary>Every group every broker coordinates, in id order (ListGroups goes to each broker).</summary>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await Cluster.RefreshMetadataAsync([], allowAutoTopicCreation: false, cancellationToken);
        var groups = new SortedDictionary<string, GroupListing>(StringComparer.Ordinal);
        foreach (BrokerNode broker in metadata.Brokers)
        {
            ListGroupsResponse response = await Cluster.SendToNodeAsync<ListGroupsResponse>(
                broker.NodeId, ApiKey.ListGroups, _ => new ListGroupsRequest(), cancellationToken);
            var error = (ErrorCode)response.ErrorCode;
            if (error != ErrorCode.None) throw KafkaApiException.From(error, $"Listing the groups of broker {broker.NodeId} failed");
            foreach (var group in response.Groups) groups[group.GroupId] = new GroupListing(group.GroupId, group.ProtocolType, group.GroupState);
        }
        return groups.Values.ToList();
    }

    /// <summary>A group's state and members; a group nobody knows comes back with state Dead and no members.</summary>
    public async Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        BrokerNode coordinator = await CoordinatorLookup.FindAsync(Cluster, groupId, cancellationToken);
        BrokerConnection connection = await Cluster.ConnectAsync(coordinator.Endpoint, cancellationToken);
        short version = connection.VersionFor(ApiKey.DescribeGroups);
        var response = await connection.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [groupId] }, version, cancellationToken);
        var group = response.Groups.FirstOrDefault(g => g.GroupId == groupId)
            ?? throw new KafkaProtocolException($"The answer to DescribeGroups left out group '{groupId}'.");
        var error = (ErrorCode)group.ErrorCode;
        if (error == ErrorCode.GroupIdNotFound) return new GroupDescription(groupId, "Dead", "", "", [], coordinator);
        if (error != ErrorCode.None) throw KafkaApiException.From(error, $"Describing group '{groupId}' failed");
        bool isConsumerGroup = group.ProtocolType is ConsumerProtocolCodec.ProtocolType or "";
        var members = group.Members.Select(m => new MemberDescription(
            m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            isConsumerGroup ? ConsumerProtocolCodec.DecodeAssignment(m.MemberAssignment) : [])).ToList();
        return new GroupDescription(group.GroupId, group.GroupState, group.ProtocolType, group.ProtocolData, members, coordinator);
    }

    /// <summary>Deletes groups; the answer maps each group to its error (None when deleted).</summary>
    public async Task<IReadOnlyDictionary<string, ErrorCode>> DeleteGroupsAsync(IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken = default)
    {
        var results = new SortedDictionary<string, ErrorCode>(StringComparer.Ordinal);
        foreach (string groupId in groupIds)
        {
            BrokerNode coordinator = await CoordinatorLookup.FindAsync(Cluster, groupId, cancellationToken);
            BrokerConnection connection = await Cluster.ConnectAsync(coordinator.Endpoint, cancellationToken);
            short version = connection.VersionFor(ApiKey.DeleteGroups);
            var response = await connection.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = [groupId] }, version, cancellationToken);
            results[groupId] = response.Results.Where(r => r.GroupId == groupId).Select(r => (ErrorCode)r.ErrorCode).DefaultIfEmpty(ErrorCode.UnknownServerError).First();
        }
        return results;
    }

    /// <summary>The earliest or latest offset of each partition (ListOffsets to each leader).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> ListOffsetsAsync(
        IReadOnlyCollection<TopicPartition> partitions, OffsetSpec spec, CancellationToken cancellationToken = default) =>
        await OffsetLookup.ListAsync(Cluster, partitions, spec, cancellationToken);

    /// <summary>A group's committed offsets: of the given partitions, or of all it has when null.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> FetchCommittedOffsetsAsync(
        string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken = default)
    {
        BrokerNode coordinator = await CoordinatorLookup.FindAsync(Cluster, groupId, cancellationToken);
        BrokerConnection connection = await Cluster.ConnectAsync(coordinator.Endpoint, cancellationToken);
        return await CommittedOffsets.FetchAsync(connection, groupId, partitions, cancellationToken);
    }

    /// <summary>Sets a group's committed offsets from outside the group (as --reset-offsets does); the group must be empty.</summary>
    public async Task CommitOffsetsAsync(string groupId, IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken = default)
    {
        BrokerNode coordinator = await CoordinatorLookup.FindAsync(Cluster, groupId, cancellationToken);
        BrokerConnection connection = await Cluster.ConnectAsync(coordinator.Endpoint, cancellationToken);
        await CommittedOffsets.CommitAsync(connection, groupId, CommittedOffsets.NoGeneration, "", offsets, cancellationToken);
    }
}
