namespace Reference.Client.Errors;

/// <summary>What an error code means to a user, and whether asking again can succeed.</summary>
public static class ErrorCodes
{
    /// <summary>
    /// Errors that go away by themselves: a leader moving, a coordinator loading, a request racing a
    /// metadata change (Kafka marks these RetriableException).
    /// </summary>
    public static bool IsRetriable(ErrorCode code) => code switch
    {
        ErrorCode.CorruptMessage or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderOrFollower or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
            or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator
            or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.NotController
            or ErrorCode.KafkaStorageError or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch
            or ErrorCode.OffsetNotAvailable or ErrorCode.ReplicaNotAvailable or ErrorCode.UnstableOffsetCommit
            or ErrorCode.UnknownTopicId => true,
        _ => false,
    };

    /// <summary>Kafka's own one-line description of the code (Errors.java), for messages.</summary>
    public static string Describe(ErrorCode code) => code switch
    {
        ErrorCode.None => "no error",
        ErrorCode.UnknownServerError => "The server experienced an unexpected error when processing the request.",
        ErrorCode.OffsetOutOfRange => "The requested offset is not within the range of offsets maintained by the server.",
        ErrorCode.CorruptMessage => "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.",
        ErrorCode.UnknownTopicOrPartition => "This server does not host this topic-partition.",
        ErrorCode.LeaderNotAvailable => "There is no leader for this topic-partition as we are in the middle of a leadership election.",
        ErrorCode.NotLeaderOrFollower => "For requests intended only for the leader, this error indicates that the broker is not the current leader.",
        ErrorCode.RequestTimedOut => "The request timed out.",
        ErrorCode.MessageTooLarge => "The request included a message larger than the max message size the server will accept.",
        ErrorCode.CoordinatorLoadInProgress => "The coordinator is loading and hence can't process requests.",
        ErrorCode.CoordinatorNotAvailable => "The coordinator is not available.",
        ErrorCode.NotCoordinator => "This is not the correct coordinator.",
        ErrorCode.InvalidTopicException => "The request attempted to perform an operation on an invalid topic.",
        ErrorCode.NotEnoughReplicas => "Messages are rejected since there are fewer in-sync replicas than required.",
        ErrorCode.NotEnoughReplicasAfterAppend => "Messages are written to the log, but to fewer in-sync replicas than required.",
        ErrorCode.IllegalGeneration => "Specified group generation id is not valid.",
        ErrorCode.InconsistentGroupProtocol => "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.",
        ErrorCode.InvalidGroupId => "The configured groupId is invalid.",
        ErrorCode.UnknownMemberId => "The coordinator is not aware of this member.",
        ErrorCode.InvalidSessionTimeout => "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).",
        ErrorCode.RebalanceInProgress => "The group is rebalancing, so a rejoin is needed.",
        ErrorCode.UnsupportedVersion => "The version of API is not supported.",
        ErrorCode.TopicAlreadyExists => "Topic with this name already exists.",
        ErrorCode.InvalidPartitions => "Number of partitions is below 1.",
        ErrorCode.InvalidReplicationFactor => "Replication factor is below 1 or larger than the number of available brokers.",
        ErrorCode.InvalidConfig => "Configuration is invalid.",
        ErrorCode.NotController => "This is not the correct controller for this cluster.",
        ErrorCode.InvalidRequest => "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.",
        ErrorCode.NonEmptyGroup => "The group is not empty.",
        ErrorCode.GroupIdNotFound => "The group id does not exist.",
        ErrorCode.MemberIdRequired => "The group member needs to have a valid member id before actually entering a consumer group.",
        ErrorCode.UnknownTopicId => "This server does not host this topic ID.",
        _ => $"error code {(short)code} ({code}).",
    };
}
