using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using DeletableTopicResult = Reference.Protocol.Messages.DeleteTopicsResponse.DeletableTopicResult;

namespace Reference.Core.Controller;

/// <summary>
/// DeleteTopics (Kafka's <c>ControllerApis.deleteTopics</c> and <c>ReplicationControlManager.deleteTopics</c>):
/// topics named by name (v0-5, and v6 entries without an id) or by id (v6) each get a RemoveTopicRecord,
/// which also removes their configuration. Brokers delete the logs when they apply the record.
/// </summary>
internal static class TopicDeletion
{
    /// <summary>Kafka's default messages for these errors, which clients print.</summary>
    public const string UnknownTopicMessage = "This server does not host this topic-partition.";

    public const string UnknownTopicIdMessage = "This server does not host this topic ID.";

    public static ControllerResult Delete(DeleteTopicsRequest request, MetadataImage image)
    {
        var response = new DeleteTopicsResponse();
        var records = new List<VersionedRecord>();
        var targets = request.TopicNames.Select(name => ((string?)name, Uuid.Zero))
            .Concat(request.Topics.Select(t => (t.Name, t.TopicId)))
            .ToList();
        var deleted = new SortedSet<Uuid>(UuidOrder.Instance);
        foreach (var (name, id) in targets)
        {
            DeletableTopicResult result = DeleteOne(name, id, targets, image, out TopicImage? topic);
            response.Responses.Add(result);
            if (topic is null || !deleted.Add(topic.TopicId)) continue;
            records.Add(new VersionedRecord(new RemoveTopicRecord { TopicId = topic.TopicId }, MetadataVersion.BaseRecordVersion));
        }
        return new ControllerResult(records, response);
    }

    private static DeletableTopicResult DeleteOne(string? name, Uuid id, List<(string? Name, Uuid Id)> targets, MetadataImage image, out TopicImage? topic)
    {
        topic = null;
        bool byId = id != Uuid.Zero;
        if (byId && name is not null) return Failed(name, id, ErrorCode.InvalidRequest, "You may not specify both topic name and topic id.");
        if (!byId && name is null) return Failed(null, id, ErrorCode.InvalidRequest, "Neither topic name nor id were specified.");
        if (byId ? targets.Count(t => t.Id == id) > 1 : targets.Count(t => t.Name == name && t.Id == Uuid.Zero) > 1)
            return Failed(name, id, ErrorCode.InvalidRequest, byId ? "Duplicate topic id." : "Duplicate topic name.");
        topic = byId ? image.Topic(id) : image.Topic(name!);
        if (topic is null)
            return byId ? Failed(null, id, ErrorCode.UnknownTopicId, UnknownTopicIdMessage) : Failed(name, id, ErrorCode.UnknownTopicOrPartition, UnknownTopicMessage);
        return new DeletableTopicResult { Name = topic.Name, TopicId = topic.TopicId };
    }

    private static DeletableTopicResult Failed(string? name, Uuid id, ErrorCode code, string message) =>
        new() { Name = name, TopicId = id, ErrorCode = (short)code, ErrorMessage = message };
}
