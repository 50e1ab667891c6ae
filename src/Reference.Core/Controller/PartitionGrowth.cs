using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using CreatePartitionsTopic = Reference.Protocol.Messages.CreatePartitionsRequest.CreatePartitionsTopic;
using CreatePartitionsTopicResult = Reference.Protocol.Messages.CreatePartitionsResponse.CreatePartitionsTopicResult;

namespace Reference.Core.Controller;

/// <summary>
/// CreatePartitions (Kafka's <c>ReplicationControlManager.createPartitions</c>): a topic's partition count
/// only grows, since keys already hashed to a partition must stay there. New partitions get the replication
/// factor of partition 0, placed automatically or as the request assigns them, with the active replicas as
/// their ISR. The messages are those Kafka 3.9's KRaft controller sends, which <c>kafka-topics.sh --alter</c>
/// prints.
/// </summary>
internal sealed class PartitionGrowth(IDeterministicRandom random)
{
    public ControllerResult Grow(CreatePartitionsRequest request, MetadataImage image)
    {
        var response = new CreatePartitionsResponse();
        var records = new List<VersionedRecord>();
        SortedSet<string> duplicates = TopicCreation.Duplicates(request.Topics.Select(t => t.Name));
        long added = request.Topics.Sum(t => (long)Math.Max(0, t.Count - (image.Topic(t.Name)?.Partitions.Count ?? t.Count)));
        foreach (CreatePartitionsTopic topic in request.Topics)
        {
            if (added > TopicCreation.PartitionsPerRequestMax)
                response.Results.Add(Result(topic.Name, ErrorCode.PolicyViolation, "Excessively large number of partitions per request."));
            else if (duplicates.Contains(topic.Name))
                response.Results.Add(Result(topic.Name, ErrorCode.InvalidRequest, "Duplicate topic name."));
            else
            {
                var (code, message, topicRecords) = GrowOne(topic, image);
                response.Results.Add(Result(topic.Name, code, message));
                if (!request.ValidateOnly) records.AddRange(topicRecords);
            }
        }
        return new ControllerResult(records, response);
    }

    private (ErrorCode, string?, List<VersionedRecord>) GrowOne(CreatePartitionsTopic request, MetadataImage image)
    {
        if (image.Topic(request.Name) is not TopicImage topic) return (ErrorCode.UnknownTopicOrPartition, TopicDeletion.UnknownTopicMessage, []);
        int existing = topic.Partitions.Count;
        if (request.Count == existing) return (ErrorCode.InvalidPartitions, $"Topic already has {existing} partition(s).", []);
        if (request.Count < existing)
            return (ErrorCode.InvalidPartitions, $"The topic {request.Name} currently has {existing} partition(s); {request.Count} would not be an increase.", []);
        int additional = request.Count - existing;
        if (request.Assignments is not null && request.Assignments.Count != additional)
            return (ErrorCode.InvalidReplicaAssignment, $"Attempted to add {additional} additional partition(s), but only {request.Assignments.Count} assignment(s) were specified.", []);
        if (existing == 0) return (ErrorCode.UnknownServerError, $"Invalid state: topic {request.Name} appears to have no partitions.", []);
        int replicationFactor = topic.Partitions.Values.First().Replicas.Length;
        var (partitions, code, message) = request.Assignments is null
            ? Placed(existing, additional, replicationFactor, image)
            : Assigned(request, existing, replicationFactor, image);
        if (partitions is null) return (code, message, []);
        var records = new List<VersionedRecord>();
        for (int i = 0; i < partitions.Count; i++) records.Add(PartitionAssignments.Record(topic.TopicId, existing + i, partitions[i].Replicas, partitions[i].Isr, image));
        return (ErrorCode.None, null, records);
    }

    private (List<(int[] Replicas, int[] Isr)>?, ErrorCode, string?) Placed(int existing, int additional, int replicationFactor, MetadataImage image)
    {
        var (placed, error) = ReplicaPlacer.Place(PartitionAssignments.ActiveBrokers(image), existing, additional, replicationFactor, random);
        return placed is null
            ? (null, ErrorCode.InvalidReplicationFactor, $"Unable to replicate the partition {replicationFactor} time(s): {error}")
            : ([.. placed.Select(replicas => (replicas, replicas))], ErrorCode.None, null);
    }

    private static (List<(int[] Replicas, int[] Isr)>?, ErrorCode, string?) Assigned(CreatePartitionsTopic request, int existing, int replicationFactor, MetadataImage image)
    {
        var partitions = new List<(int[], int[])>();
        for (int i = 0; i < request.Assignments!.Count; i++)
        {
            List<int> brokers = request.Assignments[i].BrokerIds;
            if (PartitionAssignments.ValidateManual(brokers, replicationFactor, image) is string invalid) return (null, ErrorCode.InvalidReplicaAssignment, invalid);
            int[] isr = PartitionAssignments.ActiveReplicas(brokers, image);
            if (isr.Length == 0)
                return (null, ErrorCode.InvalidReplicaAssignment, $"All brokers specified in the manual partition assignment for partition {existing + i} are fenced or in controlled shutdown.");
            partitions.Add(([.. brokers], isr));
        }
        return (partitions, ErrorCode.None, null);
    }

    private static CreatePartitionsTopicResult Result(string name, ErrorCode code, string? message) =>
        new() { Name = name, ErrorCode = (short)code, ErrorMessage = message };
}
