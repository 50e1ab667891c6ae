using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Cursor = Reference.Protocol.Messages.DescribeTopicPartitionsResponse.Cursor;
using PartitionAnswer = Reference.Protocol.Messages.DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition;
using TopicAnswer = Reference.Protocol.Messages.DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic;

namespace Reference.Core.Metadata;

/// <summary>
/// Answers DescribeTopicPartitions (API 75, KIP-966) from a broker's metadata image, as Kafka's
/// <c>DescribeTopicPartitionsRequestHandler</c> and its metadata cache's <c>describeTopicResponse</c> do. It is
/// the only API that shows a partition's eligible leader replicas and last known ELR; Kafka 3.7+'s
/// <c>kafka-topics --describe</c> uses it, a page at a time:
/// <list type="bullet">
/// <item>No topics named means every topic, internal ones included; named topics are described once each.
/// Either way the topics go in name order, from the cursor's topic on, and the cursor's topic starts at the
/// cursor's partition, every later one at 0.</item>
/// <item>A page holds at most the request's ResponsePartitionLimit partitions, itself held to 1..
/// <see cref="ResponsePartitionLimitMax"/>. When a topic does not fit, NextCursor names the first partition
/// left out; when a page is full at a topic's end and more topics follow, it names the next topic's partition 0
/// (a topic that may not exist: it is judged on the next page).</item>
/// <item>A named topic that does not exist is answered UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for
/// an illegal name), with no partitions, at its place in the order.</item>
/// <item>A cursor whose partition is negative, or whose topic is not among those the request would describe,
/// makes the whole request INVALID_REQUEST: each named topic answered with that error, none described.</item>
/// <item>Partitions carry no error of their own; the leader is the registered one (-1 when none), offline
/// replicas are those whose broker is fenced or unknown.</item>
/// </list>
/// </summary>
public static class DescribeTopicPartitionsAnswer
{
    /// <summary>
    /// The most partitions one answer carries, whatever the request asks: Kafka's broker config
    /// <c>max.request.partition.size.limit</c> at its default. It bounds the work of one request.
    /// </summary>
    public const int ResponsePartitionLimitMax = 2000;

    /// <summary>
    /// The operations a caller may perform on a topic, as Kafka's bit field of <c>AclOperation</c> codes. Without
    /// an authorizer (this broker has none) that is every operation a topic supports: READ (3), WRITE (4),
    /// CREATE (5), DELETE (6), ALTER (7), DESCRIBE (8), DESCRIBE_CONFIGS (10) and ALTER_CONFIGS (11).
    /// </summary>
    public const int AllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

    public static DescribeTopicPartitionsResponse Answer(DescribeTopicPartitionsRequest request, MetadataImage image)
    {
        bool allTopics = request.Topics.Count == 0;
        string cursorTopic = request.Cursor?.TopicName ?? "";
        // Topic names compare by UTF-16 code unit, as Java's String.compareTo does.
        List<string> topics = (allTopics ? image.Topics.Keys : request.Topics.Select(t => t.Name))
            .Where(name => string.CompareOrdinal(name, cursorTopic) >= 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (request.Cursor is { } cursor && (cursor.PartitionIndex < 0 || !topics.Contains(cursor.TopicName, StringComparer.Ordinal)))
            return Refused(request, ErrorCode.InvalidRequest);

        var response = new DescribeTopicPartitionsResponse();
        int remaining = Math.Clamp(request.ResponsePartitionLimit, 1, ResponsePartitionLimitMax);
        foreach (string name in topics)
        {
            if (remaining == 0)
            {
                response.NextCursor = new Cursor { TopicName = name, PartitionIndex = 0 };
                break;
            }
            TopicImage? topic = image.Topic(name);
            if (topic is null)
            {
                response.Topics.Add(Missing(name));
                continue;
            }
            int first = name == cursorTopic ? request.Cursor!.PartitionIndex : 0;
            List<int> indices = topic.Partitions.Keys.Where(index => index >= first).ToList();
            response.Topics.Add(Describe(topic, indices.Take(remaining), image));
            if (indices.Count > remaining)
            {
                response.NextCursor = new Cursor { TopicName = name, PartitionIndex = indices[remaining] };
                break;
            }
            remaining -= indices.Count;
        }
        return response;
    }

    private static TopicAnswer Describe(TopicImage topic, IEnumerable<int> indices, MetadataImage image) => new()
    {
        Name = topic.Name,
        TopicId = topic.TopicId,
        IsInternal = topic.IsInternal,
        TopicAuthorizedOperations = AllTopicOperations,
        Partitions = indices.Select(index =>
        {
            PartitionRegistration partition = topic.Partitions[index];
            return new PartitionAnswer
            {
                PartitionIndex = index,
                LeaderId = partition.Leader,
                LeaderEpoch = partition.LeaderEpoch,
                ReplicaNodes = [.. partition.Replicas],
                IsrNodes = [.. partition.Isr],
                EligibleLeaderReplicas = [.. partition.EligibleLeaderReplicas],
                LastKnownElr = [.. partition.LastKnownElr],
                OfflineReplicas = [.. partition.Replicas.Where(replica => image.Broker(replica) is not { Fenced: false })],
            };
        }).ToList(),
    };

    private static TopicAnswer Missing(string name) => new()
    {
        Name = name,
        TopicId = Uuid.Zero,
        IsInternal = TopicNames.IsInternal(name),
        ErrorCode = (short)(TopicNames.Validate(name) is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopicException),
        TopicAuthorizedOperations = AllTopicOperations,
    };

    /// <summary>Kafka's error answer to a request it refuses whole: every named topic with the error, nothing else.</summary>
    private static DescribeTopicPartitionsResponse Refused(DescribeTopicPartitionsRequest request, ErrorCode error) => new()
    {
        Topics = request.Topics.Select(t => new TopicAnswer { Name = t.Name, ErrorCode = (short)error }).ToList(),
    };
}
