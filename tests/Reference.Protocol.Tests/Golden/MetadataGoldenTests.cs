using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Protocol.Tests.Golden;

/// <summary>Metadata (key 3), from MetadataRequest.json and MetadataResponse.json; flexible from v9.</summary>
public sealed class MetadataGoldenTests
{
    [Fact]
    public void V4RequestNamesTopicsAndCarriesAllowAutoTopicCreation()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000024              # size: 36
            0003                  # header v1: RequestApiKey 3 (Metadata)
            0004                  #   RequestApiVersion 4
            00000002              #   CorrelationId 2
            0003 617070           #   ClientId "app"
            00000002              # Topics: int32 count 2
            0006 6f7264657273     #   Name "orders"
            0008 7061796d656e7473 #   Name "payments"
            00                    # AllowAutoTopicCreation false (v4+)
            """);
        var header = new RequestHeader { RequestApiKey = 3, RequestApiVersion = 4, CorrelationId = 2, ClientId = "app" };
        var body = new MetadataRequest
        {
            Topics = [new() { Name = "orders" }, new() { Name = "payments" }],
            AllowAutoTopicCreation = false,
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        var request = (MetadataRequest)decoded.Body;
        Assert.Equal(["orders", "payments"], request.Topics!.Select(t => t.Name));
        Assert.False(request.AllowAutoTopicCreation);
    }

    [Fact]
    public void V9ResponseIsCompactWithAFlexibleHeader()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000069              # size: 105
            0000000b              # header v1: CorrelationId 11
            00                    #   tagged fields: none
            00000000              # ThrottleTimeMs 0
            02                    # Brokers: compact array of 1
            00000001              #   NodeId 1
            0a 6c6f63616c686f7374 #   Host "localhost"
            00002384              #   Port 9092
            00                    #   Rack null
            00                    #   tagged fields: none
            17 4d6b55334f455642 4e5463774e544a454e 444d325167  # ClusterId "MkU3OEVBNTcwNTJENDM2Qg"
            00000001              # ControllerId 1
            02                    # Topics: compact array of 1
            0000                  #   ErrorCode 0
            07 6f7264657273       #   Name "orders"
            00                    #   IsInternal false
            02                    #   Partitions: compact array of 1
            0000                  #     ErrorCode 0
            00000000              #     PartitionIndex 0
            00000001              #     LeaderId 1
            00000000              #     LeaderEpoch 0
            02 00000001           #     ReplicaNodes [1]
            02 00000001           #     IsrNodes [1]
            01                    #     OfflineReplicas []
            00                    #     tagged fields: none
            80000000              #   TopicAuthorizedOperations INT32_MIN (not asked for)
            00                    #   tagged fields: none
            80000000              # ClusterAuthorizedOperations INT32_MIN (v8-10)
            00                    # tagged fields: none
            """);
        var body = new MetadataResponse
        {
            ThrottleTimeMs = 0,
            Brokers = [new() { NodeId = 1, Host = "localhost", Port = 9092, Rack = null }],
            ClusterId = "MkU3OEVBNTcwNTJENDM2Qg",
            ControllerId = 1,
            Topics =
            [
                new()
                {
                    ErrorCode = 0,
                    Name = "orders",
                    IsInternal = false,
                    Partitions =
                    [
                        new() { ErrorCode = 0, PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 0, ReplicaNodes = [1], IsrNodes = [1], OfflineReplicas = [] },
                    ],
                    TopicAuthorizedOperations = int.MinValue,
                },
            ],
            ClusterAuthorizedOperations = int.MinValue,
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 11, apiVersion: 9, body);

        var response = (MetadataResponse)decoded.Body;
        Assert.Null(response.Brokers[0].Rack);
        Assert.Equal([1], response.Topics[0].Partitions[0].IsrNodes);
    }
}
