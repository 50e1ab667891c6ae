using System.Collections.Immutable;
using Reference.Protocol.Primitives;

namespace Reference.Core.Metadata;

/// <summary>A listener a broker registered: clients of that listener connect to Host:Port.</summary>
public sealed record RegisteredEndpoint(string ListenerName, string Host, int Port, short SecurityProtocol);

/// <summary>The levels of one feature a broker can run at (inclusive), as it said when registering.</summary>
public sealed record SupportedFeatureRange(string Name, short MinVersion, short MaxVersion);

/// <summary>
/// What the committed metadata says about one broker (Kafka's <c>BrokerRegistration</c>): who it is, which
/// incarnation registered, the epoch that incarnation was given, and whether it may lead partitions.
/// </summary>
/// <param name="Epoch">The broker epoch from its RegisterBrokerRecord; requests naming another epoch are stale.</param>
/// <param name="IncarnationId">A new random id per broker process start; it tells a restart from a duplicate.</param>
/// <param name="Fenced">A fenced broker may not lead or be in an ISR; every broker starts fenced (KIP-631).</param>
/// <param name="InControlledShutdown">The broker asked to shut down and is handing off its leaderships.</param>
/// <param name="RegistrationOffset">
/// The offset of the RegisterBrokerRecord: a broker is caught up, and may be unfenced, once it has applied
/// the metadata log up to here (Kafka's <c>registerBrokerRecordOffset</c>).
/// </param>
public sealed record BrokerRegistration(
    int BrokerId,
    long Epoch,
    Uuid IncarnationId,
    ImmutableArray<RegisteredEndpoint> Endpoints,
    ImmutableArray<SupportedFeatureRange> Features,
    string? Rack,
    bool Fenced,
    bool InControlledShutdown,
    ImmutableArray<Uuid> LogDirs,
    long RegistrationOffset)
{
    /// <summary>Kafka's <c>isActive</c>: the broker may lead and be added to ISRs.</summary>
    public bool IsActive => !Fenced && !InControlledShutdown;
}
