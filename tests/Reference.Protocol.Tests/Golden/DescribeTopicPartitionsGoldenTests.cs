using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// DescribeTopicPartitions (key 75, KIP-966), from DescribeTopicPartitionsRequest.json and
/// DescribeTopicPartitionsResponse.json: v0 only, flexible, so compact lengths and a tagged-field section
/// after every struct; the cursors are nullable structs (an int8 marker, -1 for null).
/// </summary>
public sealed class DescribeTopicPartitionsGoldenTests
{
    [Fact]
    public void V0RequestNamesTopicsTheLimitAndWhereToContinue()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000029              # size: 41
            004b                  # header v2: RequestApiKey 75 (DescribeTopicPartitions)
            0000                  #   RequestApiVersion 0
            00000005              #   CorrelationId 5
            0003 617070           #   ClientId "app" (int16 length even in flexible headers)
            00                    #   tagged fields: none
            02                    # Topics: compact array of 1
            07 6f7264657273       #   Name "orders"
            00                    #   tagged fields: none
            000007d0              # ResponsePartitionLimit 2000
            01                    # Cursor: present
            07 6f7264657273       #   TopicName "orders"
            00000002              #   PartitionIndex 2
            00                    #   tagged fields: none
            00                    # tagged fields: none
            """);
        var header = new RequestHeader { RequestApiKey = 75, RequestApiVersion = 0, CorrelationId = 5, ClientId = "app" };
        var body = new DescribeTopicPartitionsRequest
        {
            Topics = [new() { Name = "orders" }],
            ResponsePartitionLimit = 2000,
            Cursor = new DescribeTopicPartitionsRequest.CursorData { TopicName = "orders", PartitionIndex = 2 },
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        var request = (DescribeTopicPartitionsRequest)decoded.Body;
        Assert.Equal(("orders", 2), (request.Cursor!.TopicName, request.Cursor.PartitionIndex));
    }

    [Fact]
    public void V0ResponseCarriesEligibleLeaderReplicasAndTheNextCursor()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000064              # size: 100
            00000005              # header v1: CorrelationId 5
            00                    #   tagged fields: none
            00000000              # ThrottleTimeMs 0
            02                    # Topics: compact array of 1
            0000                  #   ErrorCode 0
            07 6f7264657273       #   Name "orders" (compact nullable string)
            0102030405060708 090a0b0c0d0e0f10  #   TopicId
            00                    #   IsInternal false
            02                    #   Partitions: compact array of 1
            0000                  #     ErrorCode 0
            00000000              #     PartitionIndex 0
            00000001              #     LeaderId 1
            00000003              #     LeaderEpoch 3
            04 00000001 00000002 00000003  #     ReplicaNodes [1, 2, 3]
            02 00000001           #     IsrNodes [1]
            02 00000002           #     EligibleLeaderReplicas [2] (compact nullable array)
            01                    #     LastKnownElr [] (empty, not null)
            02 00000003           #     OfflineReplicas [3]
            00                    #     tagged fields: none
            00000df8              #   TopicAuthorizedOperations 3576 (every topic operation)
            00                    #   tagged fields: none
            01                    # NextCursor: present
            07 6f7264657273       #   TopicName "orders"
            00000001              #   PartitionIndex 1
            00                    #   tagged fields: none
            00                    # tagged fields: none
            """);
        var body = new DescribeTopicPartitionsResponse
        {
            Topics =
            [
                new()
                {
                    Name = "orders",
                    TopicId = new Uuid(0x0102030405060708, 0x090a0b0c0d0e0f10),
                    Partitions =
                    [
                        new()
                        {
                            PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 3, ReplicaNodes = [1, 2, 3], IsrNodes = [1],
                            EligibleLeaderReplicas = [2], LastKnownElr = [], OfflineReplicas = [3],
                        },
                    ],
                    TopicAuthorizedOperations = 3576,
                },
            ],
            NextCursor = new DescribeTopicPartitionsResponse.Cursor { TopicName = "orders", PartitionIndex = 1 },
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 5, apiVersion: 0, body);

        var partition = ((DescribeTopicPartitionsResponse)decoded.Body).Topics[0].Partitions[0];
        Assert.Equal([2], partition.EligibleLeaderReplicas!);
        Assert.NotNull(partition.LastKnownElr);
        Assert.Empty(partition.LastKnownElr);
    }

    [Fact]
    public void V0ResponseEndsWithANullCursorAndNullElrListsStayNull()
    {
        byte[] frame = AnnotatedHex.Frame("""
            0000003b              # size: 59
            00000006              # header v1: CorrelationId 6
            00                    #   tagged fields: none
            00000000              # ThrottleTimeMs 0
            02                    # Topics: compact array of 1
            0000                  #   ErrorCode 0
            02 74                 #   Name "t"
            0000000000000000 0000000000000001  #   TopicId
            01                    #   IsInternal true
            02                    #   Partitions: compact array of 1
            0000                  #     ErrorCode 0
            00000000              #     PartitionIndex 0
            ffffffff              #     LeaderId -1
            ffffffff              #     LeaderEpoch -1
            01                    #     ReplicaNodes []
            01                    #     IsrNodes []
            00                    #     EligibleLeaderReplicas null
            00                    #     LastKnownElr null
            01                    #     OfflineReplicas []
            00                    #     tagged fields: none
            80000000              #   TopicAuthorizedOperations INT32_MIN
            00                    #   tagged fields: none
            ff                    # NextCursor: null
            00                    # tagged fields: none
            """);
        var body = new DescribeTopicPartitionsResponse
        {
            Topics =
            [
                new()
                {
                    Name = "t",
                    TopicId = new Uuid(0, 1),
                    IsInternal = true,
                    Partitions = [new() { PartitionIndex = 0, LeaderId = -1, LeaderEpoch = -1 }],
                },
            ],
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 6, apiVersion: 0, body);

        var response = (DescribeTopicPartitionsResponse)decoded.Body;
        Assert.Null(response.NextCursor);
        Assert.Null(response.Topics[0].Partitions[0].EligibleLeaderReplicas);
        Assert.Null(response.Topics[0].Partitions[0].LastKnownElr);
    }
}
