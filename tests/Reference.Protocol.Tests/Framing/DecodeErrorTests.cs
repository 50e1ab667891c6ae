using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Tests.Golden;

namespace Reference.Protocol.Tests.Framing;

/// <summary>
/// Each way a frame can fail to be a request, and what the error keeps: the key, version and correlation
/// id of the frame's first eight bytes, which the broker needs to answer UNSUPPORTED_VERSION (for
/// ApiVersions, in v0) rather than drop the connection.
/// </summary>
public sealed class DecodeErrorTests
{
    [Theory]
    [InlineData("0004 0000 00000063 0003 617070", 4)]           // LeaderAndIsr: a ZooKeeper-era key we do not define
    [InlineData("7fff 0000 00000063 0003 617070", short.MaxValue)]
    [InlineData("ffff 0000 00000063 0003 617070", -1)]
    public void AKeyWithoutASchemaIsUnknownApiKey(string frame, short apiKey)
    {
        RequestDecodeError error = DecodeError(frame);

        Assert.Equal(RequestDecodeFailure.UnknownApiKey, error.Failure);
        Assert.Equal(apiKey, error.ApiKey);
        Assert.Equal(99, error.CorrelationId);
    }

    [Theory]
    [InlineData("0012 0005 0000002a 0003 617070 00 00 00 00", ApiKey.ApiVersions, 5)]  // ApiVersions 0-4 in the schema
    [InlineData("0003 000d 0000002a 0003 617070 00", ApiKey.Metadata, 13)]
    [InlineData("0001 ffff 0000002a", ApiKey.Fetch, -1)]
    public void AVersionOutsideTheSchemaIsUnsupportedAndKeepsTheCorrelationId(string frame, ApiKey apiKey, short version)
    {
        RequestDecodeError error = DecodeError(frame);

        Assert.Equal(RequestDecodeFailure.UnsupportedVersion, error.Failure);
        Assert.Equal((short)apiKey, error.ApiKey);
        Assert.Equal(version, error.ApiVersion);
        Assert.Equal(42, error.CorrelationId);
    }

    [Fact]
    public void FewerThanEightBytesIsAMalformedHeaderWithNothingKept()
    {
        RequestDecodeError error = DecodeError("0012 0003 000000");

        Assert.Equal(RequestDecodeFailure.MalformedHeader, error.Failure);
        Assert.Equal((-1, -1, -1), (error.ApiKey, error.ApiVersion, error.CorrelationId));
    }

    [Theory]
    [InlineData("0012 0002 00000007 0010 6170")]          // ClientId claims 16 bytes, 2 follow
    [InlineData("0012 0003 00000007 0003 617070")]        // header v2 without its tagged-field byte
    [InlineData("0012 0002 00000007 fffe")]               // ClientId length -2
    public void AHeaderThatDoesNotParseIsMalformedAndKeepsTheCorrelationId(string frame)
    {
        RequestDecodeError error = DecodeError(frame);

        Assert.Equal(RequestDecodeFailure.MalformedHeader, error.Failure);
        Assert.Equal(7, error.CorrelationId);
    }

    [Fact]
    public void BytesLeftAfterTheBodyMakeItMalformed()
    {
        // kafkajs's ApiVersions v2 (an empty body) with one byte too many.
        RequestDecodeError error = DecodeError("0012 0002 00000000 0011 7265666572656e63652d63617074757265 00");

        Assert.Equal(RequestDecodeFailure.MalformedBody, error.Failure);
        Assert.Contains("1 unexpected bytes", error.Detail);
        Assert.Equal((18, 2, 0), (error.ApiKey, error.ApiVersion, error.CorrelationId));
    }

    [Fact]
    public void ABodyCutShortIsMalformed()
    {
        RequestDecodeError error = DecodeError("0003 0004 00000002 0003 617070 00000001 0006 6f72");  // topic "orders" cut after "or"

        Assert.Equal(RequestDecodeFailure.MalformedBody, error.Failure);
        Assert.Equal(2, error.CorrelationId);
    }

    [Theory]
    [InlineData(ApiKey.ApiVersions, 5)]
    [InlineData((ApiKey)4, 0)]
    public void TheResponseDecoderRefusesWhatHasNoSchema(ApiKey apiKey, short version)
    {
        ResponseDecodeResult result = ResponseDecoder.Decode(AnnotatedHex.Parse("00000001 0000 00000000"), apiKey, version);

        Assert.False(result.IsSuccess);
        Assert.Contains("is outside", result.Error);
    }

    [Fact]
    public void TheResponseDecoderRefusesBytesLeftAfterTheBody()
    {
        // An ApiVersions v0 error answer with a stray byte at the end.
        ResponseDecodeResult result = ResponseDecoder.Decode(AnnotatedHex.Parse("0000002a 0023 00000000 00"), ApiKey.ApiVersions, 0);

        Assert.False(result.IsSuccess);
        Assert.Contains("1 unexpected bytes", result.Error);
    }

    private static RequestDecodeError DecodeError(string annotatedFrame)
    {
        RequestDecodeResult result = RequestDecoder.Decode(AnnotatedHex.Parse(annotatedFrame));
        Assert.False(result.IsSuccess, $"decoded: {result.Request}");
        Assert.Null(result.Request);
        return result.Error!;
    }
}
