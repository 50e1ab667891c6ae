using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Raft;

/// <summary>The leader and epoch an answer names, so the asker can catch up (Kafka's <c>LeaderAndEpoch</c>).</summary>
internal readonly record struct LeaderAndEpoch(int? LeaderId, int Epoch)
{
    public int LeaderIdOrNone => LeaderId ?? -1;
}

/// <summary>
/// KIP-853's name for a replica: its node id and the directory id of its metadata storage
/// (<see cref="Uuid.Zero"/> when unknown). Two replicas with one id on two disks are two replicas.
/// </summary>
internal readonly record struct ReplicaKey(int NodeId, Uuid DirectoryId);

/// <summary>
/// Builds the KRaft RPC bodies this replica sends and answers with, in the versions it speaks: Vote v2
/// (KIP-996's PreVote), BeginQuorumEpoch and EndQuorumEpoch v1, Fetch v17 (ReplicaState, topic ids). All
/// name the one metadata partition, <c>__cluster_metadata-0</c>.
/// </summary>
internal static class RaftMessages
{
    public const short VoteVersion = 2;
    public const short BeginQuorumEpochVersion = 1;
    public const short EndQuorumEpochVersion = 1;
    public const short FetchVersion = 17;

    /// <summary>The listener name a voter's <c>controller.quorum.voters</c> address is known by.</summary>
    public const string ControllerListenerName = "CONTROLLER";

    private static string TopicName => RaftLog.Partition.Topic;

    /// <summary>Whether a topic and partition of a KRaft RPC is the metadata partition.</summary>
    public static bool IsMetadataPartition(string topicName, int partitionIndex) =>
        topicName == TopicName && partitionIndex == RaftLog.Partition.Partition;

    /// <summary>A Vote (v1+ names both replica keys, KIP-853: <see cref="Uuid.Zero"/> where a directory id is unknown).</summary>
    public static VoteRequest VoteRequest(string clusterId, int candidateId, int voterId, int epoch, OffsetAndEpoch lastLog, bool preVote,
        Uuid candidateDirectoryId = default, Uuid voterDirectoryId = default) => new()
    {
        ClusterId = clusterId,
        VoterId = voterId,
        Topics =
        [
            new VoteRequest.TopicData
            {
                TopicName = TopicName,
                Partitions =
                [
                    new VoteRequest.PartitionData
                    {
                        PartitionIndex = RaftLog.Partition.Partition,
                        CandidateEpoch = epoch,
                        CandidateId = candidateId,
                        CandidateDirectoryId = candidateDirectoryId,
                        VoterDirectoryId = voterDirectoryId,
                        LastOffsetEpoch = lastLog.Epoch,
                        LastOffset = lastLog.Offset,
                        PreVote = preVote,
                    },
                ],
            },
        ],
    };

    public static VoteResponse VoteResponse(ErrorCode topLevel) => new() { ErrorCode = (short)topLevel };

    public static VoteResponse VoteResponse(ErrorCode error, LeaderAndEpoch leader, bool granted) => new()
    {
        Topics =
        [
            new VoteResponse.TopicData
            {
                TopicName = TopicName,
                Partitions =
                [
                    new VoteResponse.PartitionData
                    {
                        PartitionIndex = RaftLog.Partition.Partition,
                        ErrorCode = (short)error,
                        LeaderId = leader.LeaderIdOrNone,
                        LeaderEpoch = leader.Epoch,
                        VoteGranted = granted,
                    },
                ],
            },
        ],
    };

    public static BeginQuorumEpochRequest BeginQuorumEpochRequest(string clusterId, int leaderId, int voterId, int epoch, VoterAddress? leaderAddress,
        Uuid voterDirectoryId = default) => new()
    {
        ClusterId = clusterId,
        VoterId = voterId,
        Topics =
        [
            new BeginQuorumEpochRequest.TopicData
            {
                TopicName = TopicName,
                Partitions =
                [
                    new BeginQuorumEpochRequest.PartitionData
                    {
                        PartitionIndex = RaftLog.Partition.Partition, VoterDirectoryId = voterDirectoryId, LeaderId = leaderId, LeaderEpoch = epoch,
                    },
                ],
            },
        ],
        LeaderEndpoints = leaderAddress is null
            ? []
            : [new BeginQuorumEpochRequest.LeaderEndpoint { Name = ControllerListenerName, Host = leaderAddress.Host, Port = (ushort)leaderAddress.Port }],
    };

    public static BeginQuorumEpochResponse BeginQuorumEpochResponse(ErrorCode topLevel) => new() { ErrorCode = (short)topLevel };

    public static BeginQuorumEpochResponse BeginQuorumEpochResponse(ErrorCode error, LeaderAndEpoch leader) => new()
    {
        Topics =
        [
            new BeginQuorumEpochResponse.TopicData
            {
                TopicName = TopicName,
                Partitions =
                [
                    new BeginQuorumEpochResponse.PartitionData
                    {
                        PartitionIndex = RaftLog.Partition.Partition, ErrorCode = (short)error, LeaderId = leader.LeaderIdOrNone, LeaderEpoch = leader.Epoch,
                    },
                ],
            },
        ],
    };

    public static EndQuorumEpochRequest EndQuorumEpochRequest(string clusterId, int leaderId, int epoch, IReadOnlyList<int> preferredSuccessors, VoterAddress? leaderAddress) => new()
    {
        ClusterId = clusterId,
        Topics =
        [
            new EndQuorumEpochRequest.TopicData
            {
                TopicName = TopicName,
                Partitions =
                [
                    new EndQuorumEpochRequest.PartitionData
                    {
                        PartitionIndex = RaftLog.Partition.Partition,
                        LeaderId = leaderId,
                        LeaderEpoch = epoch,
                        PreferredSuccessors = preferredSuccessors.ToList(),
                        PreferredCandidates = preferredSuccessors.Select(id => new EndQuorumEpochRequest.ReplicaInfo { CandidateId = id }).ToList(),
                    },
                ],
            },
        ],
        LeaderEndpoints = leaderAddress is null
            ? []
            : [new EndQuorumEpochRequest.LeaderEndpoint { Name = ControllerListenerName, Host = leaderAddress.Host, Port = (ushort)leaderAddress.Port }],
    };

    /// <summary>The successors a request names: v0 lists ids, v1 replica keys.</summary>
    public static IReadOnlyList<int> PreferredSuccessors(EndQuorumEpochRequest.PartitionData partition, short version) =>
        version >= 1 ? partition.PreferredCandidates.Select(candidate => candidate.CandidateId).ToList() : partition.PreferredSuccessors;

    public static EndQuorumEpochResponse EndQuorumEpochResponse(ErrorCode topLevel) => new() { ErrorCode = (short)topLevel };

    public static EndQuorumEpochResponse EndQuorumEpochResponse(ErrorCode error, LeaderAndEpoch leader) => new()
    {
        Topics =
        [
            new EndQuorumEpochResponse.TopicData
            {
                TopicName = TopicName,
                Partitions =
                [
                    new EndQuorumEpochResponse.PartitionData
                    {
                        PartitionIndex = RaftLog.Partition.Partition, ErrorCode = (short)error, LeaderId = leader.LeaderIdOrNone, LeaderEpoch = leader.Epoch,
                    },
                ],
            },
        ],
    };

    /// <summary>
    /// A follower's or observer's fetch (KIP-595): where its log ends and the epoch of its last batch, for the
    /// leader to check against its epoch cache, and (v17, KIP-853) which disk it fetches for, so the leader counts
    /// the fetch toward the high watermark only when that disk is the voter's. No fetch session: SessionEpoch
    /// -1 asks for a full fetch.
    /// </summary>
    public static FetchRequest FetchRequest(string clusterId, int replicaId, int epoch, long fetchOffset, int lastFetchedEpoch, long logStartOffset,
        Uuid replicaDirectoryId = default) => new()
    {
        ClusterId = clusterId,
        ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = replicaId, ReplicaEpoch = -1 },
        MaxWaitMs = RaftLimits.FetchWaitMsMax,
        MinBytes = 0,
        MaxBytes = RaftLimits.FetchBytesMax,
        SessionId = 0,
        SessionEpoch = -1,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = TopicName,
                TopicId = Uuid.MetadataTopicId,
                Partitions =
                [
                    new FetchRequest.FetchPartition
                    {
                        Partition = RaftLog.Partition.Partition,
                        CurrentLeaderEpoch = epoch,
                        FetchOffset = fetchOffset,
                        LastFetchedEpoch = lastFetchedEpoch,
                        LogStartOffset = logStartOffset,
                        PartitionMaxBytes = RaftLimits.FetchBytesMax,
                        ReplicaDirectoryId = replicaDirectoryId,
                    },
                ],
            },
        ],
    };

    /// <summary>The replica a fetch comes from: in ReplicaState from v15, in ReplicaId before; -1 for a consumer.</summary>
    public static int FetchingReplicaId(FetchRequest request, short version) =>
        version >= 15 ? request.ReplicaState?.ReplicaId ?? -1 : request.ReplicaId;

    /// <summary>The fetching replica's key: its id, and from v17 the directory id it names (KIP-853); none before.</summary>
    public static ReplicaKey FetchingReplica(FetchRequest request, FetchRequest.FetchPartition partition, short version) =>
        new(FetchingReplicaId(request, version), version >= 17 ? partition.ReplicaDirectoryId : Uuid.Zero);

    /// <summary>The fetch's only partition when it is the metadata partition (by id from v13, by name before); else null.</summary>
    public static FetchRequest.FetchPartition? MetadataFetchPartition(FetchRequest request, short version)
    {
        if (request.Topics.Count != 1 || request.Topics[0].Partitions.Count != 1) return null;
        FetchRequest.FetchTopic topic = request.Topics[0];
        bool named = version >= 13 ? topic.TopicId == Uuid.MetadataTopicId : topic.Topic == TopicName;
        return named && topic.Partitions[0].Partition == RaftLog.Partition.Partition ? topic.Partitions[0] : null;
    }

    public static FetchResponse FetchResponse(ErrorCode topLevel) => new() { ErrorCode = (short)topLevel };

    /// <summary>The one-partition answer to a metadata fetch, naming the topic as the request's version does.</summary>
    public static FetchResponse FetchResponse(FetchResponse.PartitionData partition, VoterAddress? leaderAddress) => new()
    {
        Responses = [new FetchResponse.FetchableTopicResponse { Topic = TopicName, TopicId = Uuid.MetadataTopicId, Partitions = [partition] }],
        NodeEndpoints = leaderAddress is null
            ? []
            : [new FetchResponse.NodeEndpoint { NodeId = leaderAddress.NodeId, Host = leaderAddress.Host, Port = leaderAddress.Port }],
    };

    /// <summary>The response's only partition when it is the metadata partition; else null.</summary>
    public static FetchResponse.PartitionData? MetadataFetchPartition(FetchResponse response) =>
        response.Responses is [{ Partitions: [var partition] }] && partition.PartitionIndex == RaftLog.Partition.Partition ? partition : null;
}
