using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Framing;

/// <summary>A response read from one frame.</summary>
public sealed record DecodedResponse(ResponseHeader Header, IResponseBody Body);

/// <summary>Either a response or the reason the frame is not one (a one-line message); never both.</summary>
public readonly record struct ResponseDecodeResult(DecodedResponse? Response, string? Error)
{
    public bool IsSuccess => Response is not null;
}

/// <summary>
/// Reads response frames for the client side (our CLI, the simulator's clients, tests). A response does
/// not say which API it answers: the caller knows from the request it sent.
/// </summary>
public static class ResponseDecoder
{
    public static ResponseDecodeResult Decode(ReadOnlyMemory<byte> frame, ApiKey apiKey, short apiVersion)
    {
        VersionRange schema = ApiMessages.SchemaVersions(apiKey);
        if (!schema.Contains(apiVersion)) return new(null, $"{apiKey} v{apiVersion} is outside {schema}");
        var reader = new ProtocolReader(frame);
        try
        {
            ResponseHeader header = ResponseHeader.Read(ref reader, HeaderVersions.Response(apiKey, apiVersion));
            IResponseBody body = ApiMessages.ReadResponse(apiKey, apiVersion, ref reader);
            // Tested first so the name is built only for the error: this runs for every response.
            if (!reader.IsAtEnd) reader.ExpectEnd($"{apiKey} v{apiVersion} response");
            return new(new DecodedResponse(header, body), null);
        }
        catch (MalformedFrameException error)
        {
            return new(null, $"malformed {apiKey} v{apiVersion} response: {error.Message}");
        }
    }
}
