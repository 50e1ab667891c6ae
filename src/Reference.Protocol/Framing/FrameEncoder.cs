using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Framing;

/// <summary>
/// Writes whole frames: the int32 size, the header in the version that goes with the API version, then
/// the body. The size is patched in after the body, so nothing is measured twice.
/// </summary>
public static class FrameEncoder
{
    public static void WriteRequest(ProtocolWriter writer, RequestHeader header, IRequestBody body)
    {
        var key = (ApiKey)header.RequestApiKey;
        if (body.ApiKey != key) throw new ArgumentException($"header says {key}, body is {body.ApiKey}", nameof(body));
        int sizePosition = writer.ReserveInt32();
        header.Write(writer, HeaderVersions.Request(key, header.RequestApiVersion));
        body.Write(writer, header.RequestApiVersion);
        writer.PatchInt32(sizePosition, writer.Length - sizePosition - 4);
    }

    public static void WriteResponse(ProtocolWriter writer, int correlationId, short apiVersion, IResponseBody body)
    {
        int sizePosition = writer.ReserveInt32();
        new ResponseHeader { CorrelationId = correlationId }.Write(writer, HeaderVersions.Response(body.ApiKey, apiVersion));
        body.Write(writer, apiVersion);
        writer.PatchInt32(sizePosition, writer.Length - sizePosition - 4);
    }

    /// <summary>A request frame as bytes (with its size prefix), for clients and tests.</summary>
    public static byte[] Request(RequestHeader header, IRequestBody body)
    {
        using var writer = new ProtocolWriter();
        WriteRequest(writer, header, body);
        return writer.ToArray();
    }

    public static byte[] Response(int correlationId, short apiVersion, IResponseBody body)
    {
        using var writer = new ProtocolWriter();
        WriteResponse(writer, correlationId, apiVersion, body);
        return writer.ToArray();
    }
}
