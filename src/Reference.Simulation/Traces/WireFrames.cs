using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

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
        ProtocolWriter writer = EmptyWriter();
        FrameEncoder.WriteRequest(writer, header, body);
        return writer.WrittenSpan[SizePrefixBytes..].ToArray();
    }

    public static byte[] Response(int correlationId, short apiVersion, IResponseBody body)
    {
        ProtocolWriter writer = EmptyWriter();
        FrameEncoder.WriteResponse(writer, correlationId, apiVersion, body);
        return writer.WrittenSpan[SizePrefixBytes..].ToArray();
    }

    /// <summary>
    /// One writer per thread, emptied for each frame: every message of a simulated run is encoded here, and a
    /// fresh writer (a pooled buffer rented and returned) plus a copy with the prefix and another without it
    /// was a visible share of the explorer's step. Nothing encoded here calls back in, so one is enough.
    /// </summary>
    [ThreadStatic] private static ProtocolWriter? _writer;

    private static ProtocolWriter EmptyWriter()
    {
        ProtocolWriter writer = _writer ??= new ProtocolWriter();
        writer.Clear();
        return writer;
    }

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
