using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// AllocateProducerIds (KIP-730, Kafka's <c>ProducerIdControlManager</c>): a broker gets the next block of
/// producer ids; a ProducerIdsRecord moves the cluster's next id past it, so no id is handed out twice, even
/// across controller failovers.
/// </summary>
internal static class ProducerIdAllocation
{
    /// <summary>Kafka's <c>ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE</c>.</summary>
    public const int BlockSize = 1000;

    public static ControllerResult Allocate(AllocateProducerIdsRequest request, MetadataImage image)
    {
        BrokerRegistration? broker = image.Broker(request.BrokerId);
        if (broker is null || broker.Epoch != request.BrokerEpoch)
            return ControllerResult.Answer(new AllocateProducerIdsResponse { ErrorCode = (short)ErrorCode.StaleBrokerEpoch });
        long start = image.NextProducerId;
        if (start > long.MaxValue - BlockSize)
            return ControllerResult.Answer(new AllocateProducerIdsResponse { ErrorCode = (short)ErrorCode.UnknownServerError });
        var record = new ProducerIdsRecord { BrokerId = broker.BrokerId, BrokerEpoch = broker.Epoch, NextProducerId = start + BlockSize };
        return new ControllerResult(
            [new VersionedRecord(record, MetadataVersion.BaseRecordVersion)],
            new AllocateProducerIdsResponse { ProducerIdStart = start, ProducerIdLen = BlockSize });
    }
}
