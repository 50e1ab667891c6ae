using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Groups;

/// <summary>
/// Reads the topics out of a consumer's JoinGroup metadata (an int16 version, then a
/// <see cref="ConsumerProtocolSubscription"/>). Like Kafka's <c>computeSubscribedTopics</c> it reads the
/// version-0 prefix every later version starts with, so a newer client's subscription is still understood.
/// </summary>
internal static class ConsumerSubscription
{
    /// <summary>Adds the subscribed topics to <paramref name="topics"/>; false when the bytes are not a subscription.</summary>
    public static bool TryReadTopics(ReadOnlyMemory<byte> metadata, ISet<string> topics)
    {
        var reader = new ProtocolReader(metadata);
        try
        {
            short version = reader.ReadInt16();
            if (version < 0) return false;
            ConsumerProtocolSubscription subscription = ConsumerProtocolSubscription.Read(ref reader, 0);
            topics.UnionWith(subscription.Topics);
            return true;
        }
        catch (MalformedFrameException)
        {
            return false;
        }
    }
}
