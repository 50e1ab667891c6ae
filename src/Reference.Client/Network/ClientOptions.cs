namespace Reference.Client.Network;

/// <summary>How a client talks to the cluster. Every wait and every retry here has a bound.</summary>
public sealed record ClientOptions
{
    /// <summary>The brokers to ask first; the rest are learnt from metadata.</summary>
    public required IReadOnlyList<BrokerEndpoint> BootstrapServers { get; init; }

    /// <summary>Sent in every request header; brokers show it in DescribeGroups (CLIENT-ID).</summary>
    public string ClientId { get; init; } = "kraft-client";

    /// <summary>
    /// How long a TCP connect may take. A broker that is down usually refuses at once; this bound bites on
    /// an address that drops packets.
    /// </summary>
    public int ConnectTimeoutMs { get; init; } = 10_000;

    /// <summary>How long one request may wait for its response (Kafka's request.timeout.ms is 30000).</summary>
    public int RequestTimeoutMs { get; init; } = 30_000;

    /// <summary>
    /// How many times a request is tried when it could not be sent at all (connect refused) or the broker
    /// answered with a retriable error. The first try counts.
    /// </summary>
    public int AttemptsMax { get; init; } = 3;

    /// <summary>Pause between tries (Kafka's retry.backoff.ms is 100).</summary>
    public int RetryBackoffMs { get; init; } = 100;

    /// <summary>
    /// Requests one connection may have waiting for responses (Kafka's max.in.flight.requests.per.connection
    /// is 5; admin and metadata requests are small, so we allow more). Senders wait for a slot.
    /// </summary>
    public int InFlightRequestsMax { get; init; } = 32;

    /// <summary>The largest response frame accepted; a larger size prefix means a corrupt stream.</summary>
    public int ResponseSizeBytesMax { get; init; } = 128 * 1024 * 1024;
}
