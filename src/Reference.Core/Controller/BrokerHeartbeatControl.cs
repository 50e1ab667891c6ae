using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// BrokerHeartbeat and session expiry (Kafka's <c>BrokerHeartbeatManager.calculateNextBrokerState</c> and
/// <c>ReplicationControlManager.processBrokerHeartbeat</c>, KIP-631). A heartbeat keeps the broker's session
/// and moves it between four states:
/// <code>
///   FENCED --caught up, not WantFence--> UNFENCED --WantShutDown, leads partitions--> CONTROLLED_SHUTDOWN
///   FENCED/UNFENCED --WantShutDown, nothing to hand off--> SHUTDOWN_NOW   UNFENCED --WantFence--> FENCED
///   CONTROLLED_SHUTDOWN --no leaderships, every active broker has seen that--> SHUTDOWN_NOW
/// </code>
/// and a broker whose session expires is fenced. Fencing moves its leaderships away first, then fences it;
/// unfencing unfences it first, then gives it the leaderless partitions whose ISR holds it.
/// </summary>
internal sealed class BrokerHeartbeatControl(BrokerHeartbeats heartbeats, NodeConfig config)
{
    private enum BrokerControlState
    {
        Fenced,
        Unfenced,
        ControlledShutdown,
        ShutdownNow,
    }

    public ControllerResult Heartbeat(BrokerHeartbeatRequest request, MetadataImage image, long nowMs)
    {
        BrokerRegistration? broker = image.Broker(request.BrokerId);
        if (broker is null || broker.Epoch != request.BrokerEpoch)
            return ControllerResult.Answer(new BrokerHeartbeatResponse { ErrorCode = (short)ErrorCode.StaleBrokerEpoch, IsFenced = true });
        BrokerControlState current = broker.Fenced ? BrokerControlState.Fenced
            : broker.InControlledShutdown ? BrokerControlState.ControlledShutdown
            : BrokerControlState.Unfenced;
        BrokerControlState next = NextState(current, request, broker, image);
        List<VersionedRecord> records = current == next ? [] : Transition(next, broker, image);
        heartbeats.Touch(broker.BrokerId, nowMs, request.CurrentMetadataOffset);
        var response = new BrokerHeartbeatResponse
        {
            IsCaughtUp = request.CurrentMetadataOffset >= broker.RegistrationOffset,
            IsFenced = next is BrokerControlState.Fenced or BrokerControlState.ShutdownNow,
            ShouldShutDown = next == BrokerControlState.ShutdownNow,
        };
        Action<long>? onProposed = next == BrokerControlState.ControlledShutdown && current != next
            ? offset => heartbeats.StartControlledShutdown(broker.BrokerId, offset)
            : null;
        return new ControllerResult(records, response, onProposed);
    }

    /// <summary>Fences a broker: it leaves every ISR and its leaderships (into the ELR where the ISR falls below min ISR), then is marked fenced.</summary>
    public List<VersionedRecord> Fence(MetadataImage image, BrokerRegistration broker)
    {
        List<VersionedRecord> records = PartitionLeaderChanges.RemoveBroker(image, config, broker.BrokerId);
        var fence = new BrokerRegistrationChangeRecord { BrokerId = broker.BrokerId, BrokerEpoch = broker.Epoch, Fenced = MetadataDelta.FencingChangeFence };
        records.Add(new VersionedRecord(fence, MetadataVersion.FencingChangeRecordVersion));
        return records;
    }

    private BrokerControlState NextState(BrokerControlState current, BrokerHeartbeatRequest request, BrokerRegistration broker, MetadataImage image)
    {
        switch (current)
        {
            case BrokerControlState.Fenced:
                if (request.WantShutDown) return BrokerControlState.ShutdownNow;
                return !request.WantFence && request.CurrentMetadataOffset >= broker.RegistrationOffset
                    ? BrokerControlState.Unfenced
                    : BrokerControlState.Fenced;
            case BrokerControlState.Unfenced:
                if (request.WantFence) return request.WantShutDown ? BrokerControlState.ShutdownNow : BrokerControlState.Fenced;
                if (!request.WantShutDown) return BrokerControlState.Unfenced;
                return PartitionLeaderChanges.HasLeaderships(image, broker.BrokerId) ? BrokerControlState.ControlledShutdown : BrokerControlState.ShutdownNow;
            default:
                if (PartitionLeaderChanges.HasLeaderships(image, broker.BrokerId)) return BrokerControlState.ControlledShutdown;
                long shutdownOffset = heartbeats.ControlledShutdownOffset(broker.BrokerId, image.Offset);
                return shutdownOffset <= heartbeats.LowestActiveOffset(image, broker.BrokerId)
                    ? BrokerControlState.ShutdownNow
                    : BrokerControlState.ControlledShutdown;
        }
    }

    private List<VersionedRecord> Transition(BrokerControlState next, BrokerRegistration broker, MetadataImage image)
    {
        switch (next)
        {
            case BrokerControlState.Unfenced:
                var unfence = new BrokerRegistrationChangeRecord { BrokerId = broker.BrokerId, BrokerEpoch = broker.Epoch, Fenced = MetadataDelta.FencingChangeUnfence };
                return [new VersionedRecord(unfence, MetadataVersion.FencingChangeRecordVersion), .. PartitionLeaderChanges.ElectWithUnfencedBroker(image, config, broker.BrokerId)];
            case BrokerControlState.ControlledShutdown:
                var shutdown = new BrokerRegistrationChangeRecord { BrokerId = broker.BrokerId, BrokerEpoch = broker.Epoch, InControlledShutdown = MetadataDelta.ControlledShutdownChangeEnter };
                return [new VersionedRecord(shutdown, MetadataVersion.ControlledShutdownChangeRecordVersion), .. PartitionLeaderChanges.RemoveBroker(image, config, broker.BrokerId)];
            default:
                return broker.Fenced ? [] : Fence(image, broker);
        }
    }
}
