using Reference.Protocol;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Broker.Network;

/// <summary>
/// The one ApiVersions answer the shell gives itself: to a version it cannot parse, so no request reaches
/// the core (Kafka's SocketServer does the same). Every parsable ApiVersions request, the KIP-511 check of
/// client software names included, is the core's (ApiVersionsHandler), so the simulator sees the same rule.
/// </summary>
internal static class ShellAnswers
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
}
