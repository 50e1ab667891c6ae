using Reference.Client.Errors;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Client.Groups;

/// <summary>
/// The consumer protocol's opaque bytes inside JoinGroup, SyncGroup and DescribeGroups (ConsumerProtocol.java):
/// an int16 version, then ConsumerProtocolSubscription or ConsumerProtocolAssignment in that version. A
/// version newer than ours is read as our newest, ignoring what follows, as Kafka does for forward
/// compatibility.
/// </summary>
public static class ConsumerProtocolCodec
{
    /// <summary>The JoinGroup protocol type of consumers.</summary>
    public const string ProtocolType = "consumer";

    public const short NewestVersion = 3;

    public static byte[] EncodeSubscription(IReadOnlyList<string> topics, IReadOnlyList<TopicPartition> owned, int generationId, short version = NewestVersion)
    {
        var subscription = new ConsumerProtocolSubscription
        {
            Topics = topics.ToList(),
            OwnedPartitions = owned
                .GroupBy(p => p.Topic, StringComparer.Ordinal)
                .Select(g => new ConsumerProtocolSubscription.TopicPartition { Topic = g.Key, Partitions = g.Select(p => p.Partition).Order().ToList() })
                .ToList(),
            GenerationId = generationId,
        };
        return WithVersion(subscription, version);
    }

    /// <summary>The subscribed topics and the version the member wrote.</summary>
    public static (IReadOnlyList<string> Topics, short Version) DecodeSubscription(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtocolReader(bytes);
        try
        {
            short version = ReadVersion(ref reader, "subscription");
            var subscription = ConsumerProtocolSubscription.Read(ref reader, Math.Min(version, NewestVersion));
            return (subscription.Topics, version);
        }
        catch (MalformedFrameException malformed)
        {
            throw new KafkaProtocolException($"A member's consumer subscription is malformed: {malformed.Message}");
        }
    }

    public static byte[] EncodeAssignment(IReadOnlyList<TopicPartition> partitions, short version = NewestVersion)
    {
        var assignment = new ConsumerProtocolAssignment
        {
            AssignedPartitions = partitions
                .GroupBy(p => p.Topic, StringComparer.Ordinal)
                .Select(g => new ConsumerProtocolAssignment.TopicPartition { Topic = g.Key, Partitions = g.Select(p => p.Partition).Order().ToList() })
                .ToList(),
        };
        return WithVersion(assignment, Math.Min(version, NewestVersion));
    }

    /// <summary>The assigned partitions in order; empty bytes (a member not yet assigned) mean none.</summary>
    public static IReadOnlyList<TopicPartition> DecodeAssignment(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty) return [];
        var reader = new ProtocolReader(bytes);
        try
        {
            short version = ReadVersion(ref reader, "assignment");
            var assignment = ConsumerProtocolAssignment.Read(ref reader, Math.Min(version, NewestVersion));
            return assignment.AssignedPartitions
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p)))
                .Order()
                .ToList();
        }
        catch (MalformedFrameException malformed)
        {
            throw new KafkaProtocolException($"A consumer assignment is malformed: {malformed.Message}");
        }
    }

    private static short ReadVersion(ref ProtocolReader reader, string what)
    {
        short version = reader.ReadInt16();
        if (version < 0) throw new KafkaProtocolException($"A consumer {what} has version {version}.");
        return version;
    }

    private static byte[] WithVersion(IMessage message, short version)
    {
        using var writer = new ProtocolWriter();
        writer.WriteInt16(version);
        message.Write(writer, version);
        return writer.ToArray();
    }
}
