using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Protocol.Messages;

namespace Reference.Client.Groups;

/// <summary>
/// One member of a consumer group under the classic protocol: FindCoordinator, JoinGroup (rejoining with
/// the id the coordinator hands out on MEMBER_ID_REQUIRED, KIP-394), SyncGroup (as leader, with the
/// <see cref="RangeAssignor"/>'s plan), Heartbeat and LeaveGroup. It knows nothing of offsets or fetching.
/// </summary>
internal sealed class GroupMembership(ClusterClient cluster, string groupId, GroupConsumerOptions options)
{
    private BrokerNode? _coordinator;
    private long _nextHeartbeatAtMs;

    public string GroupId { get; } = groupId;

    /// <summary>Empty until the coordinator has given one.</summary>
    public string MemberId { get; private set; } = "";

    public int GenerationId { get; private set; } = CommittedOffsets.NoGeneration;

    public bool IsLeader { get; private set; }

    public IReadOnlyList<TopicPartition> Assignment { get; private set; } = [];

    /// <summary>A connection to the group's coordinator, found again after it moved.</summary>
    public async Task<BrokerConnection> CoordinatorAsync(CancellationToken cancellationToken)
    {
        _coordinator ??= await CoordinatorLookup.FindAsync(cluster, GroupId, cancellationToken);
        return await cluster.ConnectAsync(_coordinator.Endpoint, cancellationToken);
    }

    /// <summary>Joins (or rejoins) the group and returns this member's partitions.</summary>
    public async Task<IReadOnlyList<TopicPartition>> JoinAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        string lastReason = "";
        for (int round = 1; round <= options.JoinRoundsMax; round++)
        {
            BrokerConnection coordinator = await CoordinatorAsync(cancellationToken);
            JoinGroupResponse join = await SendJoinAsync(coordinator, topics, cancellationToken);
            var joinError = (ErrorCode)join.ErrorCode;
            if (joinError != ErrorCode.None)
            {
                lastReason = $"JoinGroup: {ErrorCodes.Describe(joinError)} ({joinError})";
                await RecoverAsync(joinError, join.MemberId, "Joining", cancellationToken);
                continue;
            }
            MemberId = join.MemberId;
            GenerationId = join.GenerationId;
            IsLeader = join.Leader == join.MemberId;
            var plan = IsLeader ? await PlanAssignmentsAsync(join.Members, cancellationToken) : [];
            SyncGroupResponse sync = await SendSyncAsync(coordinator, join.ProtocolName, plan, cancellationToken);
            var syncError = (ErrorCode)sync.ErrorCode;
            if (syncError != ErrorCode.None)
            {
                lastReason = $"SyncGroup: {ErrorCodes.Describe(syncError)} ({syncError})";
                await RecoverAsync(syncError, MemberId, "Syncing", cancellationToken);
                continue;
            }
            Assignment = ConsumerProtocolCodec.DecodeAssignment(sync.Assignment);
            _nextHeartbeatAtMs = Environment.TickCount64 + options.HeartbeatIntervalMs;
            return Assignment;
        }
        throw new KafkaClientException($"Could not join group '{GroupId}' in {options.JoinRoundsMax} rounds; last: {lastReason}");
    }

    /// <summary>
    /// What to do after a JoinGroup or SyncGroup error: take the offered member id, forget a stale one,
    /// find the coordinator again, or wait; anything else is final.
    /// </summary>
    private async Task RecoverAsync(ErrorCode error, string offeredMemberId, string step, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case ErrorCode.MemberIdRequired:
                MemberId = offeredMemberId; // KIP-394: rejoin at once with the id the coordinator chose
                return;
            case ErrorCode.UnknownMemberId:
                MemberId = "";
                return;
            case ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress:
                return;
            case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                _coordinator = null;
                break;
            case ErrorCode.CoordinatorLoadInProgress:
                break;
            default:
                throw KafkaApiException.From(error, $"{step} group '{GroupId}' failed");
        }
        await Task.Delay(cluster.Options.RetryBackoffMs, cancellationToken);
    }

    private async Task<JoinGroupResponse> SendJoinAsync(BrokerConnection coordinator, IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        short version = coordinator.VersionFor(ApiKey.JoinGroup);
        var request = new JoinGroupRequest
        {
            GroupId = GroupId,
            SessionTimeoutMs = options.SessionTimeoutMs,
            RebalanceTimeoutMs = options.RebalanceTimeoutMs,
            MemberId = MemberId,
            ProtocolType = ConsumerProtocolCodec.ProtocolType,
            Protocols =
            [
                new JoinGroupRequest.JoinGroupRequestProtocol
                {
                    Name = RangeAssignor.Name,
                    Metadata = ConsumerProtocolCodec.EncodeSubscription(topics, Assignment, GenerationId),
                },
            ],
        };
        // The coordinator answers only when the rebalance completes, up to the rebalance timeout.
        return await coordinator.SendAsync<JoinGroupResponse>(request, version, cancellationToken,
            options.RebalanceTimeoutMs + cluster.Options.RequestTimeoutMs);
    }

    private async Task<SyncGroupResponse> SendSyncAsync(
        BrokerConnection coordinator, string? protocolName, List<SyncGroupRequest.SyncGroupRequestAssignment> plan, CancellationToken cancellationToken)
    {
        short version = coordinator.VersionFor(ApiKey.SyncGroup);
        var request = new SyncGroupRequest
        {
            GroupId = GroupId,
            GenerationId = GenerationId,
            MemberId = MemberId,
            ProtocolType = ConsumerProtocolCodec.ProtocolType,
            ProtocolName = protocolName ?? RangeAssignor.Name,
            Assignments = plan,
        };
        return await coordinator.SendAsync<SyncGroupResponse>(request, version, cancellationToken,
            options.RebalanceTimeoutMs + cluster.Options.RequestTimeoutMs);
    }

    /// <summary>The leader's job: read every member's subscription, look the topics up, run the range assignor.</summary>
    private async Task<List<SyncGroupRequest.SyncGroupRequestAssignment>> PlanAssignmentsAsync(
        List<JoinGroupResponse.JoinGroupResponseMember> members, CancellationToken cancellationToken)
    {
        var subscriptions = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var versions = new Dictionary<string, short>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            (IReadOnlyList<string> topics, short version) = ConsumerProtocolCodec.DecodeSubscription(member.Metadata);
            subscriptions[member.MemberId] = topics;
            versions[member.MemberId] = version;
        }
        var allTopics = subscriptions.Values.SelectMany(t => t).Distinct().ToList();
        ClusterMetadata metadata = await cluster.RefreshMetadataAsync(allTopics, allowAutoTopicCreation: false, cancellationToken);
        var partitionCounts = metadata.Topics
            .Where(t => t.Error == ErrorCode.None)
            .ToDictionary(t => t.Name, t => t.Partitions.Count, StringComparer.Ordinal);
        return RangeAssignor.Assign(subscriptions, partitionCounts)
            .Select(entry => new SyncGroupRequest.SyncGroupRequestAssignment
            {
                MemberId = entry.Key,
                Assignment = ConsumerProtocolCodec.EncodeAssignment(entry.Value, versions[entry.Key]),
            }).ToList();
    }

    /// <summary>
    /// Heartbeats when one is due. True means the group is rebalancing (or forgot us) and the member must
    /// rejoin; a coordinator that moved or cannot be reached is looked up again on the next call.
    /// </summary>
    public async Task<bool> HeartbeatIfDueAsync(CancellationToken cancellationToken)
    {
        if (Environment.TickCount64 < _nextHeartbeatAtMs) return false;
        try
        {
            BrokerConnection coordinator = await CoordinatorAsync(cancellationToken);
            short version = coordinator.VersionFor(ApiKey.Heartbeat);
            var request = new HeartbeatRequest { GroupId = GroupId, GenerationId = GenerationId, MemberId = MemberId };
            HeartbeatResponse response = await coordinator.SendAsync<HeartbeatResponse>(request, version, cancellationToken);
            var error = (ErrorCode)response.ErrorCode;
            switch (error)
            {
                case ErrorCode.None:
                    _nextHeartbeatAtMs = Environment.TickCount64 + options.HeartbeatIntervalMs;
                    return false;
                case ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration:
                    return true;
                case ErrorCode.UnknownMemberId:
                    MemberId = "";
                    return true;
                case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress:
                    _coordinator = null;
                    return false;
                default:
                    throw KafkaApiException.From(error, $"Heartbeat to group '{GroupId}' failed");
            }
        }
        catch (Exception error) when (error is KafkaConnectionException or KafkaTimeoutException)
        {
            _coordinator = null;
            return false;
        }
    }

    /// <summary>Leaves the group so it rebalances now rather than after the session timeout. Best effort.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (MemberId.Length == 0) return;
        try
        {
            BrokerConnection coordinator = await CoordinatorAsync(cancellationToken);
            short version = coordinator.VersionFor(ApiKey.LeaveGroup);
            var request = new LeaveGroupRequest
            {
                GroupId = GroupId,
                MemberId = MemberId,
                Members = [new LeaveGroupRequest.MemberIdentity { MemberId = MemberId, Reason = "the consumer is being closed" }],
            };
            await coordinator.SendAsync<LeaveGroupResponse>(request, version, cancellationToken);
        }
        catch (KafkaClientException)
        {
            // The session timeout removes us anyway.
        }
        MemberId = "";
        GenerationId = CommittedOffsets.NoGeneration;
        Assignment = [];
    }
}
