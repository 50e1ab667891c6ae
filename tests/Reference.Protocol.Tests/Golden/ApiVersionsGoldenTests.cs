using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// ApiVersions (key 18), the first request on every connection, from ApiVersionsRequest.json and
/// ApiVersionsResponse.json. v3 is flexible, but its response header is v0 all the same (KIP-511), and an
/// unsupported version is answered in v0 (research/kafka-protocol-scope.md §0, fact 2).
/// </summary>
public sealed class ApiVersionsGoldenTests
{
    [Fact]
    public void V3RequestHasAFlexibleHeaderWithAClassicClientIdAndACompactBody()
    {
        byte[] frame = AnnotatedHex.Frame("""
            0000001a              # size: 26
            0012                  # header v2: RequestApiKey 18 (ApiVersions)
            0003                  #   RequestApiVersion 3
            00000001              #   CorrelationId 1
            0003 617070           #   ClientId "app": int16 length even in header v2
            00                    #   tagged fields: none
            07 676f6c64656e       # ClientSoftwareName "golden": compact, uvarint(6 + 1)
            04 312e30             # ClientSoftwareVersion "1.0"
            00                    # tagged fields: none
            """);
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 1, ClientId = "app" };
        var body = new ApiVersionsRequest { ClientSoftwareName = "golden", ClientSoftwareVersion = "1.0" };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        Assert.Equal(ApiKey.ApiVersions, decoded.ApiKey);
        Assert.Equal("golden", ((ApiVersionsRequest)decoded.Body).ClientSoftwareName);
    }

    [Fact]
    public void V3ResponseHasAV0HeaderAndEmitsItsTaggedFieldsInTagOrder()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000044              # size: 68
            00000001              # header v0: CorrelationId 1, and no tagged-field byte although v3 is flexible
            0000                  # ErrorCode 0
            04                    # ApiKeys: compact array of 3
            0000 0003 0009 00     #   Produce 3-9, tagged fields: none
            0001 0004 000c 00     #   Fetch 4-12
            0012 0000 0003 00     #   ApiVersions 0-3
            00000000              # ThrottleTimeMs 0
            02                    # tagged fields: 2
            00 17                 #   tag 0 (SupportedFeatures), 23 bytes
            02                    #     compact array of 1
            11 6d657461646174612e76657273696f6e  # Name "metadata.version"
            0001                  #     MinVersion 1
            0015                  #     MaxVersion 21
            00                    #     tagged fields: none
            01 08                 #   tag 1 (FinalizedFeaturesEpoch), 8 bytes
            0000000000000005      #     epoch 5
            """);
        var body = new ApiVersionsResponse
        {
            ErrorCode = 0,
            ApiKeys =
            [
                new() { ApiKey = 0, MinVersion = 3, MaxVersion = 9 },
                new() { ApiKey = 1, MinVersion = 4, MaxVersion = 12 },
                new() { ApiKey = 18, MinVersion = 0, MaxVersion = 3 },
            ],
            ThrottleTimeMs = 0,
            SupportedFeatures = [new() { Name = "metadata.version", MinVersion = 1, MaxVersion = 21 }],
            FinalizedFeaturesEpoch = 5,
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 1, apiVersion: 3, body);

        var response = (ApiVersionsResponse)decoded.Body;
        Assert.Equal(5, response.FinalizedFeaturesEpoch);
        Assert.Empty(response.FinalizedFeatures);
        Assert.Equal(0, HeaderVersions.Response(ApiKey.ApiVersions, 3));
    }

    /// <summary>
    /// What we answer to an ApiVersions version we do not know: a v0 body with UNSUPPORTED_VERSION (35)
    /// that still lists our range for ApiVersions, so librdkafka retries with a version we speak.
    /// </summary>
    [Fact]
    public void UnsupportedVersionIsAnsweredInV0WithError35()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000010              # size: 16
            0000002a              # header v0: CorrelationId 42
            0023                  # ErrorCode 35 (UNSUPPORTED_VERSION)
            00000001              # ApiKeys: int32 count 1 (v0 is not flexible)
            0012 0000 0003        #   ApiVersions 0-3, no tagged fields in v0
            """);
        var body = new ApiVersionsResponse
        {
            ErrorCode = 35,
            ApiKeys = [new() { ApiKey = 18, MinVersion = 0, MaxVersion = 3 }],
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 42, apiVersion: 0, body);

        Assert.Equal(35, ((ApiVersionsResponse)decoded.Body).ErrorCode);
    }
}
