using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Client.Tests.Responder;

/// <summary>Answers for a one-broker cluster (node 1 on the responder's port) that tests build scripts from.</summary>
public static class ClusterScript
{
    public static readonly Uuid TopicId = new(0x1234, 0x5678);

    /// <summary>Metadata naming node 1 as broker and controller, with the given topics (name, partition count), led by node 1.</summary>
    public static MetadataResponse Metadata(int port, params (string Name, int Partitions)[] topics) => new()
    {
        Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = "127.0.0.1", Port = port }],
        ClusterId = "test-cluster",
        ControllerId = 1,
        Topics = topics.Select(t => new MetadataResponse.MetadataResponseTopic
        {
            Name = t.Name,
            TopicId = TopicId,
            Partitions = Enumerable.Range(0, t.Partitions).Select(p => new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = p,
                LeaderId = 1,
                LeaderEpoch = 0,
                ReplicaNodes = [1],
                IsrNodes = [1],
            }).ToList(),
        }).ToList(),
    };

    /// <summary>A Metadata answer for only the topics the request named (all known ones when it named none).</summary>
    public static Reply MetadataFor(DecodedRequest request, int port, params (string Name, int Partitions)[] known)
    {
        var asked = ((MetadataRequest)request.Body).Topics?.Select(t => t.Name).ToHashSet();
        var response = Metadata(port, known.Where(k => asked is null || asked.Contains(k.Name)).ToArray());
        foreach (string? missing in asked?.Where(a => a is not null && known.All(k => k.Name != a)) ?? [])
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic { Name = missing, ErrorCode = 3 });
        return new Reply(response);
    }

    public static FindCoordinatorResponse Coordinator(int port, short version) => version >= 4
        ? new FindCoordinatorResponse { Coordinators = [new FindCoordinatorResponse.Coordinator { Key = "g", NodeId = 1, Host = "127.0.0.1", Port = port }] }
        : new FindCoordinatorResponse { NodeId = 1, Host = "127.0.0.1", Port = port };

    /// <summary>ListOffsets: every partition asked for is at <paramref name="offset"/>.</summary>
    public static ListOffsetsResponse Offsets(ListOffsetsRequest request, Func<string, int, long, long> offset) => new()
    {
        Topics = request.Topics.Select(t => new ListOffsetsResponse.ListOffsetsTopicResponse
        {
            Name = t.Name,
            Partitions = t.Partitions.Select(p => new ListOffsetsResponse.ListOffsetsPartitionResponse
            {
                PartitionIndex = p.PartitionIndex,
                Offset = offset(t.Name, p.PartitionIndex, p.Timestamp),
            }).ToList(),
        }).ToList(),
    };
}
