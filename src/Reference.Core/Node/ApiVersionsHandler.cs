using System.Text.RegularExpressions;
using Reference.Protocol;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// Answers ApiVersions, the first request on every connection, with the listener's version table. From
/// v3 the client names its software; Kafka refuses names outside a small alphabet with INVALID_REQUEST,
/// and librdkafka then retries with v0 (research/kafka-protocol-scope.md §0). An ApiVersions version we
/// cannot even parse is answered by the shell, in v0 format, before it reaches the core.
/// </summary>
public static partial class ApiVersionsHandler
{
    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?$")]
    private static partial Regex SoftwareNamePattern();

    public static ApiVersionsResponse Answer(ApiVersionsRequest request, short version, ApiVersionTable table)
    {
        var response = new ApiVersionsResponse { ApiKeys = table.ToResponseEntries() };
        if (version >= 3 && !(IsValidSoftwareName(request.ClientSoftwareName) && IsValidSoftwareName(request.ClientSoftwareVersion)))
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
        return response;
    }

    public static bool IsValidSoftwareName(string name) => SoftwareNamePattern().IsMatch(name);
}
