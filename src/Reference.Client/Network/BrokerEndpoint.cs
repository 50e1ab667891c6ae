using System.Globalization;
using Reference.Client.Errors;

namespace Reference.Client.Network;

/// <summary>A broker's address as Kafka's tools take it: HOST:PORT.</summary>
public readonly record struct BrokerEndpoint(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";

    /// <summary>Parses a comma-separated list as given to --bootstrap-server.</summary>
    public static IReadOnlyList<BrokerEndpoint> ParseList(string text)
    {
        var endpoints = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Parse).ToList();
        if (endpoints.Count == 0)
            throw new KafkaClientException("No bootstrap server given: pass --bootstrap-server HOST:PORT.");
        return endpoints;
    }

    public static BrokerEndpoint Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
            throw new KafkaClientException($"'{text}' is not a broker address: write it as HOST:PORT, e.g. 127.0.0.1:9092.");
        return new BrokerEndpoint(text[..colon].Trim('[', ']'), port);
    }
}
