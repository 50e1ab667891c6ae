using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// BrokerRegistration and UnregisterBroker (Kafka's <c>ClusterControlManager</c>, KIP-631). A registering
/// broker gets a new broker epoch and starts fenced; it is unfenced by a later heartbeat once it has read the
/// metadata log up to its own registration. Kafka uses the registration record's own offset as the epoch; we
/// cannot know that offset before proposing (the Raft layer may interleave control records), so the epoch is
/// a lower bound of it: one past the last offset this controller has written or seen committed. That is still
/// strictly greater than every broker epoch handed out before, by any controller, since each of those is at
/// most the offset of its own record.
/// </summary>
internal sealed class BrokerRegistrationControl(NodeConfig config, BrokerHeartbeats heartbeats)
{
    public ControllerResult Register(BrokerRegistrationRequest request, MetadataImage image, long brokerEpoch, long nowMs)
    {
        if (request.ClusterId != config.ClusterId) return Refuse(ErrorCode.InconsistentClusterId);
        short level = image.MetadataVersionLevel ?? MetadataVersion.Level;
        var feature = request.Features.FirstOrDefault(f => f.Name == MetadataVersion.FeatureName);
        if (feature is null || level < feature.MinSupportedVersion || level > feature.MaxSupportedVersion) return Refuse(ErrorCode.UnsupportedVersion);
        BrokerRegistration? existing = image.Broker(request.BrokerId);
        // Only an unfenced broker holds a session another incarnation must wait out (Kafka's
        // BrokerHeartbeatManager.hasValidSession is false for a fenced broker). A fenced one has no session to
        // protect: else, after a controller failover gives every registered broker a fresh session, a crashed
        // broker that was already fenced (and dropped from its ISRs) is refused for a whole session timeout,
        // and its partitions run on fewer replicas meanwhile.
        if (existing is not null && !existing.Fenced && existing.IncarnationId != request.IncarnationId && heartbeats.HasValidSession(request.BrokerId, nowMs))
            return Refuse(ErrorCode.DuplicateBrokerRegistration);
        if (existing is not null && brokerEpoch <= existing.Epoch)
            throw new InvalidOperationException($"broker epochs only grow: {brokerEpoch} after {existing.Epoch}");

        var record = new RegisterBrokerRecord
        {
            BrokerId = request.BrokerId,
            IncarnationId = request.IncarnationId,
            BrokerEpoch = brokerEpoch,
            EndPoints = [.. request.Listeners.Select(l => new RegisterBrokerRecord.BrokerEndpoint { Name = l.Name, Host = l.Host, Port = l.Port, SecurityProtocol = l.SecurityProtocol })],
            Features = [.. request.Features.Select(f => new RegisterBrokerRecord.BrokerFeature { Name = f.Name, MinSupportedVersion = f.MinSupportedVersion, MaxSupportedVersion = f.MaxSupportedVersion })],
            Rack = request.Rack,
            Fenced = true,
            InControlledShutdown = false,
            LogDirs = [.. request.LogDirs],
        };
        heartbeats.Register(request.BrokerId, nowMs);
        List<VersionedRecord> records = UncleanShutdownChanges(request, existing, image);
        records.Add(new VersionedRecord(record, MetadataVersion.RegisterBrokerRecordVersion));
        return new ControllerResult(records, new BrokerRegistrationResponse { BrokerEpoch = brokerEpoch });
    }

    /// <summary>
    /// KIP-966's unclean shutdown (Kafka's <c>ReplicationControlManager.handleBrokerUncleanShutdown</c>, called
    /// from <c>ClusterControlManager.registerBroker</c>): a broker that registers again without naming its last
    /// epoch as the one it shut down cleanly in (<c>PreviousBrokerEpoch</c>, -1 after a crash) may have lost the
    /// tail it never flushed, so it leaves every ISR and its leaderships before its new registration. Else, when
    /// it re-registers after its session ran out but before the controller fenced it, the image would keep it
    /// leading in the same leader epoch with whatever its disk kept, and its followers would truncate to that:
    /// acknowledged writes (committed offsets among them) lost though other replicas held them. It leaves the
    /// eligible leader replicas too, so it is never elected as one that holds everything below the high
    /// watermark (see <see cref="PartitionChange"/>).
    /// </summary>
    private List<VersionedRecord> UncleanShutdownChanges(BrokerRegistrationRequest request, BrokerRegistration? existing, MetadataImage image) =>
        existing is not null && existing.IncarnationId != request.IncarnationId && request.PreviousBrokerEpoch != existing.Epoch
            ? PartitionLeaderChanges.RemoveUncleanlyShutDownBroker(image, config, request.BrokerId)
            : [];

    /// <summary>The broker leaves every ISR it is in and loses its leaderships, then its registration goes.</summary>
    public ControllerResult Unregister(UnregisterBrokerRequest request, MetadataImage image)
    {
        if (image.Broker(request.BrokerId) is not BrokerRegistration broker)
        {
            return ControllerResult.Answer(new UnregisterBrokerResponse
            {
                ErrorCode = (short)ErrorCode.BrokerIdNotRegistered,
                ErrorMessage = $"Broker ID {request.BrokerId} is not currently registered",
            });
        }
        List<VersionedRecord> records = PartitionLeaderChanges.RemoveBroker(image, config, broker.BrokerId);
        records.Add(new VersionedRecord(new UnregisterBrokerRecord { BrokerId = broker.BrokerId, BrokerEpoch = broker.Epoch }, MetadataVersion.BaseRecordVersion));
        return new ControllerResult(records, new UnregisterBrokerResponse(), _ => heartbeats.Remove(broker.BrokerId));
    }

    private static ControllerResult Refuse(ErrorCode error) => ControllerResult.Answer(new BrokerRegistrationResponse { ErrorCode = (short)error });
}
