using System.Buffers.Binary;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Framing;

/// <summary>A request read from one frame: its header and its body.</summary>
public sealed record DecodedRequest(RequestHeader Header, IRequestBody Body)
{
    public ApiKey ApiKey => (ApiKey)Header.RequestApiKey;
    public short ApiVersion => Header.RequestApiVersion;
    public int CorrelationId => Header.CorrelationId;
}

/// <summary>Why a frame could not be read as a request.</summary>
public enum RequestDecodeFailure
{
    /// <summary>Fewer than the 8 bytes every request header starts with, or a header that does not parse.</summary>
    MalformedHeader,
    /// <summary>An API key this library has no schema for.</summary>
    UnknownApiKey,
    /// <summary>A version outside the schema of a known API.</summary>
    UnsupportedVersion,
    /// <summary>The header parsed but the body did not, or bytes were left over.</summary>
    MalformedBody,
}

/// <summary>
/// A frame that is not a request we can read. The key, version and correlation id are those of the frame's
/// first eight bytes when it has them (-1 otherwise), so the broker can still answer UNSUPPORTED_VERSION
/// (for ApiVersions, in v0 format) or close the connection, as Kafka does.
/// </summary>
public sealed record RequestDecodeError(RequestDecodeFailure Failure, string Detail, short ApiKey, short ApiVersion, int CorrelationId)
{
    public override string ToString() => $"{Failure}: {Detail} (api key {ApiKey}, version {ApiVersion}, correlation id {CorrelationId})";
}

/// <summary>Either a request or the reason there is none; never both.</summary>
public readonly record struct RequestDecodeResult(DecodedRequest? Request, RequestDecodeError? Error)
{
    public bool IsSuccess => Request is not null;
}

/// <summary>
/// Reads request frames (the bytes after the int32 size prefix). No exception escapes: bad input becomes a
/// <see cref="RequestDecodeError"/>, and what the decoders allocate follows the bytes a frame holds, not the
/// lengths it claims (<see cref="ProtocolReader"/>).
/// </summary>
public static class RequestDecoder
{
    private const int FixedHeaderPrefixBytes = 8;

    public static RequestDecodeResult Decode(ReadOnlyMemory<byte> frame)
    {
        if (frame.Length < FixedHeaderPrefixBytes)
            return Fail(RequestDecodeFailure.MalformedHeader, $"a request needs at least {FixedHeaderPrefixBytes} bytes, got {frame.Length}", -1, -1, -1);
        ReadOnlySpan<byte> prefix = frame.Span;
        short apiKey = BinaryPrimitives.ReadInt16BigEndian(prefix);
        short apiVersion = BinaryPrimitives.ReadInt16BigEndian(prefix[2..]);
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(prefix[4..]);
        var key = (ApiKey)apiKey;
        VersionRange schema = ApiMessages.SchemaVersions(key);
        if (schema.IsEmpty)
            return Fail(RequestDecodeFailure.UnknownApiKey, $"unknown API key {apiKey}", apiKey, apiVersion, correlationId);
        if (!schema.Contains(apiVersion))
            return Fail(RequestDecodeFailure.UnsupportedVersion, $"{key} v{apiVersion} is outside {schema}", apiKey, apiVersion, correlationId);

        var reader = new ProtocolReader(frame);
        RequestHeader header;
        try
        {
            header = RequestHeader.Read(ref reader, HeaderVersions.Request(key, apiVersion));
        }
        catch (MalformedFrameException error)
        {
            return Fail(RequestDecodeFailure.MalformedHeader, error.Message, apiKey, apiVersion, correlationId);
        }
        try
        {
            IRequestBody body = ApiMessages.ReadRequest(key, apiVersion, ref reader);
            // Tested first so the name is built only for the error: this runs for every request.
            if (!reader.IsAtEnd) reader.ExpectEnd($"{key} v{apiVersion} request");
            return new RequestDecodeResult(new DecodedRequest(header, body), null);
        }
        catch (MalformedFrameException error)
        {
            return Fail(RequestDecodeFailure.MalformedBody, error.Message, apiKey, apiVersion, correlationId);
        }
    }

    private static RequestDecodeResult Fail(RequestDecodeFailure failure, string detail, short apiKey, short apiVersion, int correlationId) =>
        new(null, new RequestDecodeError(failure, detail, apiKey, apiVersion, correlationId));
}
