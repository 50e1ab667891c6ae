using Reference.Client.Errors;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Client.Network;

/// <summary>
/// The first request on every connection. It is sent in v3 (which names this client, KIP-511); a broker
/// that does not speak v3 answers UNSUPPORTED_VERSION in the v0 format with its own ApiVersions range, and
/// we ask once more in the highest version it gave (as Kafka's and librdkafka's clients do).
/// </summary>
internal static class ApiVersionsExchange
{
    /// <summary>The first try and one fallback; a broker that refuses both is not one we can talk to.</summary>
    private const int AttemptsMax = 2;

    public const string SoftwareName = "reference-kafka-client";
    public const string SoftwareVersion = "0.1.0";

    public static async Task<NegotiatedVersions> RunAsync(BrokerConnection connection, CancellationToken cancellationToken)
    {
        short version = ClientApiVersions.ApiVersionsFirstTry;
        for (int attempt = 1; attempt <= AttemptsMax; attempt++)
        {
            var request = new ApiVersionsRequest { ClientSoftwareName = SoftwareName, ClientSoftwareVersion = SoftwareVersion };
            byte[] frame = await connection.SendForFrameAsync(request, version, cancellationToken, timeoutMs: null);
            ApiVersionsResponse response = Decode(frame, version) ?? Decode(frame, 0)
                ?? throw new KafkaProtocolException($"The server at {connection.Endpoint} did not answer ApiVersions like a Kafka broker: is it one?");
            var error = (ErrorCode)response.ErrorCode;
            if (error == ErrorCode.UnsupportedVersion)
            {
                short brokerMax = response.ApiKeys.FirstOrDefault(k => k.ApiKey == (short)ApiKey.ApiVersions)?.MaxVersion ?? 0;
                short next = Math.Min((short)(version - 1), brokerMax);
                if (next < 0) break;
                version = next;
                continue;
            }
            if (error != ErrorCode.None)
                throw KafkaApiException.From(error, $"ApiVersions v{version} to {connection.Endpoint} failed");
            return NegotiatedVersions.Negotiate(response.ApiKeys);
        }
        throw new KafkaProtocolException($"The broker at {connection.Endpoint} accepts no ApiVersions version this client speaks.");
    }

    private static ApiVersionsResponse? Decode(byte[] frame, short version)
    {
        ResponseDecodeResult result = ResponseDecoder.Decode(frame, ApiKey.ApiVersions, version);
        return result.IsSuccess ? result.Response!.Body as ApiVersionsResponse : null;
    }
}
