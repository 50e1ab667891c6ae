using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// The consumer-group RPCs librdkafka 2.0.2 sends at their highest: JoinGroup v5 (JoinGroupRequest.json,
/// JoinGroupResponse.json; classic encoding) and OffsetFetch v7 (OffsetFetchRequest.json), which is
/// flexible although the client is old (research/kafka-protocol-scope.md §0, fact 3).
/// </summary>
public sealed class GroupGoldenTests
{
    /// <summary>A consumer-protocol subscription (v0) to "orders"; opaque bytes to JoinGroup.</summary>
    private const string SubscriptionToOrders = """
        0000                  #       Version 0
        00000001              #       Topics: int32 count 1
        0006 6f7264657273     #         "orders"
        ffffffff              #       UserData null
        """;

    private static readonly byte[] SubscriptionToOrdersBytes = AnnotatedHex.Parse(SubscriptionToOrders);

    [Fact]
    public void JoinGroupV5RequestHasANullableGroupInstanceId()
    {
        byte[] frame = AnnotatedHex.Frame($"""
            00000048              # size: 72
            000b                  # header v1: RequestApiKey 11 (JoinGroup)
            0005                  #   RequestApiVersion 5
            00000007              #   CorrelationId 7
            0003 617070           #   ClientId "app"
            0002 6731             # GroupId "g1"
            0000afc8              # SessionTimeoutMs 45000
            000493e0              # RebalanceTimeoutMs 300000 (v1+)
            0000                  # MemberId "": first join, the coordinator answers MEMBER_ID_REQUIRED
            ffff                  # GroupInstanceId null (v5+): dynamic membership
            0008 636f6e73756d6572 # ProtocolType "consumer"
            00000001              # Protocols: int32 count 1
            0005 72616e6765       #   Name "range"
            00000012              #   Metadata: int32 length 18
            {SubscriptionToOrders}
            """);
        var header = new RequestHeader { RequestApiKey = 11, RequestApiVersion = 5, CorrelationId = 7, ClientId = "app" };
        var body = new JoinGroupRequest
        {
            GroupId = "g1",
            SessionTimeoutMs = 45000,
            RebalanceTimeoutMs = 300000,
            MemberId = "",
            GroupInstanceId = null,
            ProtocolType = "consumer",
            Protocols = [new() { Name = "range", Metadata = SubscriptionToOrdersBytes }],
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        var request = (JoinGroupRequest)decoded.Body;
        Assert.Null(request.GroupInstanceId);
        Assert.Equal("", request.MemberId);
    }

    [Fact]
    public void JoinGroupV5ResponseToTheLeaderListsTheMembers()
    {
        byte[] frame = AnnotatedHex.Frame($"""
            00000040              # size: 64
            00000007              # header v0: CorrelationId 7
            00000000              # ThrottleTimeMs 0 (v2+)
            0000                  # ErrorCode 0
            00000001              # GenerationId 1
            0005 72616e6765       # ProtocolName "range"
            0003 6d2d31           # Leader "m-1"
            0003 6d2d31           # MemberId "m-1": this member leads
            00000001              # Members: int32 count 1
            0003 6d2d31           #   MemberId "m-1"
            ffff                  #   GroupInstanceId null (v5+)
            00000012              #   Metadata: int32 length 18
            {SubscriptionToOrders}
            """);
        var body = new JoinGroupResponse
        {
            ThrottleTimeMs = 0,
            ErrorCode = 0,
            GenerationId = 1,
            ProtocolName = "range",
            Leader = "m-1",
            MemberId = "m-1",
            Members = [new() { MemberId = "m-1", GroupInstanceId = null, Metadata = SubscriptionToOrdersBytes }],
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 7, apiVersion: 5, body);

        Assert.Equal(1, ((JoinGroupResponse)decoded.Body).GenerationId);
    }

    [Fact]
    public void OffsetFetchV7RequestIsFlexibleButKeepsAClassicClientId()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000025              # size: 37
            0009                  # header v2: RequestApiKey 9 (OffsetFetch)
            0007                  #   RequestApiVersion 7
            00000008              #   CorrelationId 8
            0003 617070           #   ClientId "app": int16 length, not compact
            00                    #   tagged fields: none
            03 6731               # GroupId "g1": compact, uvarint(2 + 1)
            02                    # Topics: compact nullable array of 1
            07 6f7264657273       #   Name "orders"
            03 00000000 00000001  #   PartitionIndexes [0, 1]
            00                    #   tagged fields: none
            01                    # RequireStable true (v7+)
            00                    # tagged fields: none
            """);
        var header = new RequestHeader { RequestApiKey = 9, RequestApiVersion = 7, CorrelationId = 8, ClientId = "app" };
        var body = new OffsetFetchRequest
        {
            GroupId = "g1",
            Topics = [new() { Name = "orders", PartitionIndexes = [0, 1] }],
            RequireStable = true,
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        Assert.Equal("app", decoded.Header.ClientId);
        Assert.Equal(2, HeaderVersions.Request(ApiKey.OffsetFetch, 7));
    }
}
