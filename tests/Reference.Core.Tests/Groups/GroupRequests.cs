using Reference.Core.Groups;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Tests.Groups;

/// <summary>Requests and consumer-protocol payloads as clients build them.</summary>
internal static class GroupRequests
{
    public const string Consumer = "consumer";

    /// <summary>A consumer's JoinGroup metadata: version 1 of the consumer protocol's subscription.</summary>
    public static byte[] Subscription(params string[] topics) =>
        GroupRecords.Versioned(new ConsumerProtocolSubscription { Topics = topics.ToList() }, 1);

    /// <summary>What a leader hands one member: the partitions of each topic.</summary>
    public static byte[] Assignment(string topic, params int[] partitions) =>
        GroupRecords.Versioned(new ConsumerProtocolAssignment { AssignedPartitions = [new ConsumerProtocolAssignment.TopicPartition { Topic = topic, Partitions = partitions.ToList() }] }, 1);

    public static JoinGroupRequest Join(
        string groupId,
        string memberId = "",
        string? instanceId = null,
        int sessionTimeoutMs = GroupHarness.SessionTimeoutMs,
        int rebalanceTimeoutMs = GroupHarness.RebalanceTimeoutMs,
        string protocolType = Consumer,
        params (string Name, byte[] Metadata)[] protocols) => new()
        {
            GroupId = groupId,
            MemberId = memberId,
            GroupInstanceId = instanceId,
            SessionTimeoutMs = sessionTimeoutMs,
            RebalanceTimeoutMs = rebalanceTimeoutMs,
            ProtocolType = protocolType,
            Protocols = (protocols.Length == 0 ? [("range", Subscription("orders"))] : protocols)
                .Select(protocol => new JoinGroupRequest.JoinGroupRequestProtocol { Name = protocol.Name, Metadata = protocol.Metadata }).ToList(),
        };

    public static SyncGroupRequest Sync(string groupId, int generationId, string memberId, string? instanceId = null, params (string MemberId, byte[] Assignment)[] assignments) => new()
    {
        GroupId = groupId,
        GenerationId = generationId,
        MemberId = memberId,
        GroupInstanceId = instanceId,
        ProtocolType = Consumer,
        ProtocolName = "range",
        Assignments = assignments.Select(assignment => new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = assignment.MemberId, Assignment = assignment.Assignment }).ToList(),
    };

    public static HeartbeatRequest Heartbeat(string groupId, int generationId, string memberId, string? instanceId = null) =>
        new() { GroupId = groupId, GenerationId = generationId, MemberId = memberId, GroupInstanceId = instanceId };

    public static LeaveGroupRequest Leave(string groupId, params (string MemberId, string? InstanceId)[] members) => new()
    {
        GroupId = groupId,
        MemberId = members.Length == 1 ? members[0].MemberId : "",
        Members = members.Select(member => new LeaveGroupRequest.MemberIdentity { MemberId = member.MemberId, GroupInstanceId = member.InstanceId }).ToList(),
    };

    public static OffsetCommitRequest Commit(string groupId, int generationId, string memberId, params (string Topic, int Partition, long Offset)[] offsets) => new()
    {
        GroupId = groupId,
        GenerationIdOrMemberEpoch = generationId,
        MemberId = memberId,
        Topics = offsets.GroupBy(offset => offset.Topic).Select(topic => new OffsetCommitRequest.OffsetCommitRequestTopic
        {
            Name = topic.Key,
            Partitions = topic.Select(offset => new OffsetCommitRequest.OffsetCommitRequestPartition
            {
                PartitionIndex = offset.Partition,
                CommittedOffset = offset.Offset,
                CommittedMetadata = $"m{offset.Offset}",
            }).ToList(),
        }).ToList(),
    };

    /// <summary>OffsetFetch v1-v7 for named partitions, or (null) all of the group's.</summary>
    public static OffsetFetchRequest Fetch(string groupId, params (string Topic, int[] Partitions)[]? topics) => new()
    {
        GroupId = groupId,
        Topics = topics?.Select(topic => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic.Topic, PartitionIndexes = topic.Partitions.ToList() }).ToList(),
    };

    public static ErrorCode Error(short code) => (ErrorCode)code;

    /// <summary>The offset (or -1) an OffsetFetch v1-v7 answer gives for one partition.</summary>
    public static long OffsetOf(OffsetFetchResponse response, string topic, int partition) =>
        response.Topics.Single(t => t.Name == topic).Partitions.Single(p => p.PartitionIndex == partition).CommittedOffset;

    /// <summary>The topics of a consumer assignment the coordinator handed back.</summary>
    public static (string Topic, int[] Partitions)[] ReadAssignment(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtocolReader(bytes);
        short version = reader.ReadInt16();
        ConsumerProtocolAssignment assignment = ConsumerProtocolAssignment.Read(ref reader, version);
        return assignment.AssignedPartitions.Select(tp => (tp.Topic, tp.Partitions.ToArray())).ToArray();
    }
}

/// <summary>A consumer as the tests drive it: its connection, and what the coordinator told it last.</summary>
internal sealed class TestMember(GroupHarness harness, long connection, string groupId, string clientId = "client", string? instanceId = null)
{
    public long Connection { get; } = connection;

    public string MemberId { get; set; } = "";

    public int GenerationId { get; set; } = -1;

    public string LeaderId { get; set; } = "";

    public string? InstanceId { get; } = instanceId;

    public (string Name, byte[] Metadata)[] Protocols { get; set; } = [("range", GroupRequests.Subscription("orders"))];

    public short JoinVersion { get; set; } = 5;

    public bool IsLeader => LeaderId == MemberId && MemberId.Length > 0;

    /// <summary>Sends JoinGroup; on MEMBER_ID_REQUIRED (KIP-394) takes the id and sends it again, as both clients do.</summary>
    public List<Reference.Core.Node.NodeEffect.Respond> Join()
    {
        List<Reference.Core.Node.NodeEffect.Respond> responses = SendJoin();
        if (responses.AnyFor(Connection) && responses.For<JoinGroupResponse>(Connection) is { ErrorCode: (short)ErrorCode.MemberIdRequired } required)
        {
            MemberId = required.MemberId;
            responses = SendJoin();
        }
        Observe(responses);
        return responses;
    }

    public List<Reference.Core.Node.NodeEffect.Respond> SendJoin() =>
        harness.Send(Connection, JoinVersion, GroupRequests.Join(groupId, MemberId, InstanceId, protocols: Protocols), clientId);

    /// <summary>Takes the generation, member id and leader from this member's JoinGroup answer, if the step holds one.</summary>
    public JoinGroupResponse? Observe(IEnumerable<Reference.Core.Node.NodeEffect.Respond> responses)
    {
        Reference.Core.Node.NodeEffect.Respond? mine = responses.LastOrDefault(r => r.Context.Connection.Value == Connection && r.Body is JoinGroupResponse);
        if (mine?.Body is not JoinGroupResponse joined || joined.ErrorCode != 0) return mine?.Body as JoinGroupResponse;
        MemberId = joined.MemberId;
        GenerationId = joined.GenerationId;
        LeaderId = joined.Leader;
        return joined;
    }

    public List<Reference.Core.Node.NodeEffect.Respond> Sync(params (string MemberId, byte[] Assignment)[] assignments) =>
        harness.Send(Connection, 3, GroupRequests.Sync(groupId, GenerationId, MemberId, InstanceId, assignments));

    public HeartbeatResponse Heartbeat() =>
        harness.Send(Connection, 3, GroupRequests.Heartbeat(groupId, GenerationId, MemberId, InstanceId)).For<HeartbeatResponse>(Connection);
}
