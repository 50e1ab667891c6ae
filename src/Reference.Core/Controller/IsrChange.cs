using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using RequestPartition = Reference.Protocol.Messages.AlterPartitionRequest.PartitionData;
using ResponsePartition = Reference.Protocol.Messages.AlterPartitionResponse.PartitionData;

namespace Reference.Core.Controller;

/// <summary>
/// AlterPartition (KIP-497, Kafka's <c>ReplicationControlManager.alterPartition</c>): a partition leader asks
/// to shrink or expand its ISR. The change is accepted only from the current leader, at the current leader
/// epoch and partition epoch, and only to an ISR of eligible replicas that keeps the leader; it changes the
/// ISR and the partition epoch, never the leader epoch (Kafka stopped bumping it on a shrink at 3.6), and with
/// it the eligible leader replicas (KIP-966): a shrink below min.insync.replicas puts the members it removes
/// into the ELR, an ISR back at min ISR empties it (<see cref="PartitionChange"/>).
/// Topics are named by name up to v1 and by id from v2; v3 carries each new member's broker epoch.
/// </summary>
internal static class IsrChange
{
    public static ControllerResult Alter(AlterPartitionRequest request, short apiVersion, MetadataImage image, NodeConfig config)
    {
        BrokerRegistration? requester = image.Broker(request.BrokerId);
        if (requester is null || requester.Epoch != request.BrokerEpoch)
            return ControllerResult.Answer(new AlterPartitionResponse { ErrorCode = (short)ErrorCode.StaleBrokerEpoch });
        var response = new AlterPartitionResponse();
        var records = new List<VersionedRecord>();
        MetadataImage working = image;
        foreach (var topicData in request.Topics)
        {
            TopicImage? topic = apiVersion >= 2 ? working.Topic(topicData.TopicId) : working.Topic(topicData.TopicName);
            var topicResponse = new AlterPartitionResponse.TopicData { TopicName = topicData.TopicName, TopicId = topicData.TopicId };
            response.Topics.Add(topicResponse);
            foreach (RequestPartition partitionData in topicData.Partitions)
            {
                var (result, record) = AlterOne(request.BrokerId, topic, partitionData, apiVersion, working, config);
                topicResponse.Partitions.Add(result);
                if (record is not VersionedRecord written) continue;
                records.Add(written);
                working = working.Apply([written], working.Offset + 1);
                result.PartitionEpoch = working.Topic(topic!.TopicId)!.Partitions[partitionData.PartitionIndex].PartitionEpoch;
            }
        }
        return new ControllerResult(records, response);
    }

    private static (ResponsePartition, VersionedRecord?) AlterOne(int brokerId, TopicImage? topic, RequestPartition request, short apiVersion, MetadataImage image,
        NodeConfig config)
    {
        var result = new ResponsePartition { PartitionIndex = request.PartitionIndex };
        if (topic is null)
        {
            result.ErrorCode = (short)(apiVersion >= 2 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition);
            return (result, null);
        }
        PartitionRegistration? partition = topic.Partition(request.PartitionIndex);
        List<(int BrokerId, long BrokerEpoch)> newIsr = apiVersion >= 3
            ? [.. request.NewIsrWithEpochs.Select(b => (b.BrokerId, b.BrokerEpoch))]
            : [.. request.NewIsr.Select(id => (id, -1L))];
        ErrorCode error = Validate(brokerId, partition, request, newIsr, apiVersion, image);
        if (error != ErrorCode.None)
        {
            result.ErrorCode = (short)error;
            return (result, null);
        }
        int[] isr = [.. newIsr.Select(b => b.BrokerId)];
        result.LeaderId = partition!.Leader;
        result.LeaderEpoch = partition.LeaderEpoch;
        result.Isr = [.. isr];
        result.LeaderRecoveryState = request.LeaderRecoveryState;
        result.PartitionEpoch = partition.PartitionEpoch;
        // Validate has checked that the requester leads and stays in the new ISR, and that every member is
        // active, so the change keeps the leader: AlterPartition never elects.
        var change = new PartitionChangeRequest(topic, request.PartitionIndex, partition, isr, _ => true,
            PartitionChange.EffectiveMinIsr(image, config, topic, partition), config.ReintroducedBugs)
        {
            TargetLeaderRecoveryState = (LeaderRecoveryState)request.LeaderRecoveryState,
        };
        return (result, PartitionChange.Build(change));
    }

    /// <summary>Kafka's <c>validateAlterPartitionData</c>, check for check and in its order.</summary>
    private static ErrorCode Validate(int brokerId, PartitionRegistration? partition, RequestPartition request, List<(int BrokerId, long BrokerEpoch)> newIsr, short apiVersion, MetadataImage image)
    {
        if (partition is null) return ErrorCode.UnknownTopicOrPartition;
        // A leader ahead of us means this controller is behind: it is likely no longer the active one.
        if (request.LeaderEpoch > partition.LeaderEpoch || request.PartitionEpoch > partition.PartitionEpoch) return ErrorCode.NotController;
        if (request.LeaderEpoch < partition.LeaderEpoch) return ErrorCode.FencedLeaderEpoch;
        if (brokerId != partition.Leader) return ErrorCode.InvalidRequest;
        if (request.PartitionEpoch < partition.PartitionEpoch) return ErrorCode.InvalidUpdateVersion;
        var ids = newIsr.Select(b => b.BrokerId).ToList();
        if (ids.Distinct().Count() != ids.Count || ids.Any(id => !partition.Replicas.Contains(id))) return ErrorCode.InvalidRequest;
        if (!ids.Contains(partition.Leader)) return ErrorCode.InvalidRequest;
        var state = (LeaderRecoveryState)request.LeaderRecoveryState;
        if (state == LeaderRecoveryState.Recovering && ids.Count > 1) return ErrorCode.InvalidRequest;
        if (partition.LeaderRecoveryState == LeaderRecoveryState.Recovered && state == LeaderRecoveryState.Recovering) return ErrorCode.InvalidRequest;
        bool ineligible = newIsr.Any(member => image.Broker(member.BrokerId) is not BrokerRegistration b
            || !b.IsActive
            || (member.BrokerEpoch != -1 && member.BrokerEpoch != b.Epoch));
        if (ineligible) return apiVersion > 1 ? ErrorCode.IneligibleReplica : ErrorCode.OperationNotAttempted;
        return ErrorCode.None;
    }
}
