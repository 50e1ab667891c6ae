using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// The two checks every golden vector gets: our encoder writes exactly the hand-written bytes, and our
/// decoder reads those bytes back into a message equivalent, field by field, to the one encoded.
/// </summary>
public static class GoldenFrame
{
    private const int SizePrefixBytes = 4;

    public static DecodedRequest AssertRequest(byte[] expectedFrame, RequestHeader header, IRequestBody body)
    {
        AssertSameBytes(expectedFrame, FrameEncoder.Request(header, body));
        RequestDecodeResult decoded = RequestDecoder.Decode(expectedFrame.AsMemory(SizePrefixBytes));
        Assert.True(decoded.IsSuccess, $"the golden frame does not decode: {decoded.Error}");
        MessageAssert.Equivalent(header, decoded.Request!.Header);
        MessageAssert.Equivalent(body, decoded.Request.Body);
        return decoded.Request;
    }

    public static DecodedResponse AssertResponse(byte[] expectedFrame, int correlationId, short apiVersion, IResponseBody body)
    {
        AssertSameBytes(expectedFrame, FrameEncoder.Response(correlationId, apiVersion, body));
        ResponseDecodeResult decoded = ResponseDecoder.Decode(expectedFrame.AsMemory(SizePrefixBytes), body.ApiKey, apiVersion);
        Assert.True(decoded.IsSuccess, $"the golden frame does not decode: {decoded.Error}");
        Assert.Equal(correlationId, decoded.Response!.Header.CorrelationId);
        MessageAssert.Equivalent(body, decoded.Response.Body);
        return decoded.Response;
    }

    /// <summary>Byte equality that names the first offset where the frames part, with both in hex.</summary>
    public static void AssertSameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (expected.SequenceEqual(actual)) return;
        int common = Math.Min(expected.Length, actual.Length);
        int offset = 0;
        while (offset < common && expected[offset] == actual[offset]) offset++;
        Assert.Fail($"frames differ at offset {offset} (expected {expected.Length} bytes, got {actual.Length})\n" +
                    $"expected: {Convert.ToHexString(expected).ToLowerInvariant()}\n" +
                    $"actual:   {Convert.ToHexString(actual).ToLowerInvariant()}");
    }
}
