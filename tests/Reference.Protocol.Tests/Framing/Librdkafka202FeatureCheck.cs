using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests.Framing;

/// <summary>The features librdkafka 2.0.2 turns on or off from a broker's ApiVersions answer.</summary>
public enum LibrdkafkaFeature
{
    MsgVer1,
    MsgVer2,
    ApiVersion,
    BrokerGroupCoordinator,
    BrokerBalancedConsumer,
    ThrottleTime,
    SaslGssapi,
    SaslHandshake,
    Lz4,
    OffsetTime,
    IdempotentProducer,
    Zstd,
    SaslAuthReq,
}

/// <summary>
/// librdkafka 2.0.2's rd_kafka_features_check() (rdkafka_feature.c), restated: a feature is on when, for
/// every API it depends on, the client's range overlaps the broker's advertised range
/// (<c>match.Min &lt;= api.Max &amp;&amp; api.Min &lt;= match.Max</c>); an API the broker does not list
/// fails. The dependency table is the client's, the one research/kafka-protocol-scope.md §0 quotes, plus
/// the plain SaslHandshake feature it leaves out.
/// </summary>
public static class Librdkafka202FeatureCheck
{
    public static IReadOnlyDictionary<LibrdkafkaFeature, (ApiKey ApiKey, VersionRange ClientRange)[]> Dependencies { get; } =
        new Dictionary<LibrdkafkaFeature, (ApiKey, VersionRange)[]>
        {
            [LibrdkafkaFeature.MsgVer1] = [(ApiKey.Produce, new(2, 2)), (ApiKey.Fetch, new(2, 2))],
            [LibrdkafkaFeature.MsgVer2] = [(ApiKey.Produce, new(3, 3)), (ApiKey.Fetch, new(4, 4))],
            [LibrdkafkaFeature.ApiVersion] = [(ApiKey.ApiVersions, new(0, 0))],
            [LibrdkafkaFeature.BrokerGroupCoordinator] = [(ApiKey.FindCoordinator, new(0, 0))],
            [LibrdkafkaFeature.BrokerBalancedConsumer] =
            [
                (ApiKey.FindCoordinator, new(0, 0)), (ApiKey.OffsetCommit, new(1, 2)), (ApiKey.OffsetFetch, new(1, 1)),
                (ApiKey.JoinGroup, new(0, 0)), (ApiKey.SyncGroup, new(0, 0)), (ApiKey.Heartbeat, new(0, 0)),
                (ApiKey.LeaveGroup, new(0, 0)),
            ],
            [LibrdkafkaFeature.ThrottleTime] = [(ApiKey.Produce, new(1, 2)), (ApiKey.Fetch, new(1, 2))],
            [LibrdkafkaFeature.SaslGssapi] = [(ApiKey.JoinGroup, new(0, 0))],
            [LibrdkafkaFeature.SaslHandshake] = [(ApiKey.SaslHandshake, new(0, 0))],
            [LibrdkafkaFeature.Lz4] = [(ApiKey.FindCoordinator, new(0, 0))],
            [LibrdkafkaFeature.OffsetTime] = [(ApiKey.ListOffsets, new(1, 1))],
            [LibrdkafkaFeature.IdempotentProducer] = [(ApiKey.InitProducerId, new(0, 0))],
            [LibrdkafkaFeature.Zstd] = [(ApiKey.Produce, new(7, 7)), (ApiKey.Fetch, new(10, 10))],
            [LibrdkafkaFeature.SaslAuthReq] = [(ApiKey.SaslHandshake, new(1, 1)), (ApiKey.SaslAuthenticate, new(0, 0))],
        };

    /// <summary>The features on against the ranges a broker advertised (its ApiVersions answer's ApiKeys).</summary>
    public static ISet<LibrdkafkaFeature> EnabledFeatures(IReadOnlyDictionary<ApiKey, VersionRange> advertised) =>
        Dependencies.Where(feature => feature.Value.All(dependency => Overlaps(advertised, dependency.ApiKey, dependency.ClientRange)))
            .Select(feature => feature.Key)
            .ToHashSet();

    private static bool Overlaps(IReadOnlyDictionary<ApiKey, VersionRange> advertised, ApiKey key, VersionRange client) =>
        advertised.TryGetValue(key, out VersionRange broker)
        && client.Lowest <= broker.Highest && broker.Lowest <= client.Highest;
}
