using Reference.Protocol.Messages;

namespace Reference.Protocol.Framing;

/// <summary>
/// Which header version goes with which API version. The header follows the body's flexibility (request
/// header v2 and response header v1 carry tagged fields), with one exception Kafka hard-codes: the
/// ApiVersions response header is always v0, so a client that does not yet know our versions can read it
/// (KIP-511).
/// </summary>
public static class HeaderVersions
{
    public static short Request(ApiKey apiKey, short apiVersion) =>
        ApiMessages.FlexibleVersions(apiKey).Contains(apiVersion) ? (short)2 : (short)1;

    public static short Response(ApiKey apiKey, short apiVersion) =>
        apiKey != ApiKey.ApiVersions && ApiMessages.FlexibleVersions(apiKey).Contains(apiVersion) ? (short)1 : (short)0;
}
