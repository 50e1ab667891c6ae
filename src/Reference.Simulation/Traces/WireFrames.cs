using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Traces;

/// <summary>
/// Messages between simulated nodes and clients travel as the bytes a socket would carry (a frame without
/// its size prefix: header, then body), and are decoded on arrival. A codec bug then breaks a simulation
/// the way it would break a real cluster, nodes never share a mutable message object, and a trace can hold
/// the exact bytes each node received.
/// </summary>
public static class WireFrames
{
    private const int SizePrefixBytes = 4;

    public static byte[] Request(int correlationId, short apiVersion, string? clientId, IRequestBody body)
    {
        var header = new RequestHeader
        {
            RequestApiKey = (short)body.ApiKey,
            RequestApiVersion = apiVersion,
            CorrelationId = correlationId,
            ClientId = clientId,
        };
        return FrameEncoder.Request(header, body)[SizePrefixBytes..];
    }

    public static byte[] Response(int correlationId, short apiVersion, IResponseBody body) =>
        FrameEncoder.Response(correlationId, apiVersion, body)[SizePrefixBytes..];

    /// <summary>Reads a request frame; throws <see cref="WireCodecException"/> when our own encoding does not read back.</summary>
    public static DecodedRequest DecodeRequest(byte[] frame)
    {
        RequestDecodeResult result = RequestDecoder.Decode(frame);
        return result.Request ?? throw new WireCodecException($"a request frame does not decode: {result.Error}");
    }

    public static DecodedResponse DecodeResponse(byte[] frame, ApiKey apiKey, short apiVersion)
    {
        ResponseDecodeResult result = ResponseDecoder.Decode(frame, apiKey, apiVersion);
        return result.Response ?? throw new WireCodecException($"a response frame does not decode: {result.Error}");
    }
}

/// <summary>A frame the simulator encoded did not decode: a bug in the protocol library, or a body its version cannot carry.</summary>
public sealed class WireCodecException(string message) : Exception(message);
