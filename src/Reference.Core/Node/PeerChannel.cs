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
}

public static class PeerChannels
{
    public static PeerChannel For(ApiKey apiKey) => apiKey switch
    {
        ApiKey.Vote or ApiKey.BeginQuorumEpoch or ApiKey.EndQuorumEpoch or ApiKey.Fetch or ApiKey.FetchSnapshot => PeerChannel.Raft,
        _ => PeerChannel.Controller,
    };
}
