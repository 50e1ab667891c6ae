using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// Which connection a request to a peer travels on. A shell keeps one connection per peer and channel,
/// because a server answers one request per connection at a time (Kafka mutes a channel until it has
/// answered) and a controller request may wait for a commit: a BrokerHeartbeat queued ahead of the Raft
/// Fetch that the commit needs would hold that fetch until the heartbeat timed out, and a healthy leader
/// would lose its quorum. Kafka keeps the two apart the same way: KafkaRaftClient has its own network
/// client, and brokers reach the controller through NodeToControllerChannelManager's.
/// </summary>
public enum PeerChannel
{
    /// <summary>KRaft's own RPCs between voters and observers.</summary>
    Raft,

    /// <summary>Requests to the active controller: registration, heartbeats, forwarded admin requests, ISR changes, producer ids.</summary>
    Controller,

    /// <summary>
    /// A follower's data-plane Fetch to a partition leader (Kafka's ReplicaFetcherThread has its own
    /// connection per leader). Apart from Raft's, since the leader parks it for replica.fetch.wait.max.ms
    /// and a Raft Fetch queued behind it would wait as long. It goes to the leader's registered endpoint on
    /// the inter-broker listener, as Kafka's does (<see cref="NodeEffect.SendRequest.Address"/>), so a
    /// broker-only node can be fetched from too.
    /// </summary>
    Replication,
}

public static class PeerChannels
{
    /// <summary>A Fetch is Raft's when it names the metadata topic (by id or name), else a follower's data-plane fetch.</summary>
    public static PeerChannel For(IRequestBody request) => request switch
    {
        FetchRequest fetch when !fetch.Topics.Any(t => t.TopicId == Protocol.Primitives.Uuid.MetadataTopicId || t.Topic == TopicPartition.ClusterMetadata.Topic) =>
            PeerChannel.Replication,
        _ => request.ApiKey switch
        {
            ApiKey.Vote or ApiKey.BeginQuorumEpoch or ApiKey.EndQuorumEpoch or ApiKey.Fetch or ApiKey.FetchSnapshot => PeerChannel.Raft,
            _ => PeerChannel.Controller,
        },
    };
}
