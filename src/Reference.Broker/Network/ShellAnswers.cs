using System.Text.RegularExpressions;
using Reference.Protocol;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Broker.Network;

/// <summary>
/// The ApiVersions answers the shell gives itself, before a request reaches the core, because they are
/// about the conversation rather than the cluster (Kafka's SocketServer and KIP-511 do the same).
/// </summary>
internal static partial class ShellAnswers
{
    /// <summary>
    /// A version of ApiVersions this listener does not speak: answered in v0, which every client can read,
    /// with UNSUPPORTED_VERSION and the listener's whole table, so the client retries with a version it
    /// finds there (librdkafka takes min(its version - 1, our max for ApiVersions); kafkajs walks down).
    /// </summary>
    public static byte[] UnsupportedApiVersions(int correlationId, ApiVersionTable table) =>
        FrameEncoder.Response(correlationId, 0, new ApiVersionsResponse
        {
            ErrorCode = (short)ErrorCode.UnsupportedVersion,
            ApiKeys = table.ToResponseEntries(),
        });

    /// <summary>
    /// KIP-511: from v3 a client names its software; a name or version outside Kafka's pattern gets
    /// INVALID_REQUEST in the version asked (librdkafka then retries with v0). Null when the request is fine.
    /// </summary>
    public static byte[]? InvalidClientSoftware(int correlationId, short apiVersion, ApiVersionsRequest request)
    {
        if (apiVersion < 3 || (SoftwarePattern().IsMatch(request.ClientSoftwareName) && SoftwarePattern().IsMatch(request.ClientSoftwareVersion)))
            return null;
        return FrameEncoder.Response(correlationId, apiVersion, new ApiVersionsResponse { ErrorCode = (short)ErrorCode.InvalidRequest });
    }

    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?$")]
    private static partial Regex SoftwarePattern();
}
