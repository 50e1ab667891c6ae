using Reference.Client.Groups;
using Reference.Client.Tests.Responder;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Client.Tests.Groups;

/// <summary>The requests a group consumer sends, against a scripted coordinator.</summary>
public sealed class GroupJoinSequenceTests
{
    private const string AssignedMemberId = "consumer-1-7f3a";

    /// <summary>A coordinator for group g over topic t (3 partitions); t-0 has offset 5 committed.</summary>
    private static Reply? Coordinator(DecodedRequest request, int port) => request.Body switch
    {
        MetadataRequest => ClusterScript.MetadataFor(request, port, ("t", 3)),
        FindCoordinatorRequest => new Reply(ClusterScript.Coordinator(port, request.ApiVersion)),
        JoinGroupRequest { MemberId: "" } => new Reply(new JoinGroupResponse { ErrorCode = 79, MemberId = AssignedMemberId }),
        JoinGroupRequest join => new Reply(new JoinGroupResponse
        {
            GenerationId = 1,
            ProtocolType = "consumer",
            ProtocolName = join.Protocols[0].Name,
            Leader = join.MemberId,
            MemberId = join.MemberId,
            Members = [new JoinGroupResponse.JoinGroupResponseMember { MemberId = join.MemberId, Metadata = join.Protocols[0].Metadata }],
        }),
        SyncGroupRequest sync => new Reply(new SyncGroupResponse
        {
            ProtocolType = "consumer",
            ProtocolName = "range",
            Assignment = sync.Assignments.Single(a => a.MemberId == sync.MemberId).Assignment,
        }),
        OffsetFetchRequest => new Reply(new OffsetFetchResponse
        {
            Topics =
            [
                new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = "t",
                    Partitions =
                    [
                        new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = 0, CommittedOffset = 5 },
                        new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = 1, CommittedOffset = -1 },
                        new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = 2, CommittedOffset = -1 },
                    ],
                },
            ],
        }),
        ListOffsetsRequest list => new Reply(ClusterScript.Offsets(list, (_, _, _) => 10)),
        FetchRequest fetch => new Reply(new FetchResponse
        {
            Responses = fetch.Topics.Select(t => new FetchResponse.FetchableTopicResponse
            {
                Topic = t.Topic,
                Partitions = t.Partitions.Select(p => new FetchResponse.PartitionData { PartitionIndex = p.Partition, HighWatermark = 10 }).ToList(),
            }).ToList(),
        }),
        OffsetCommitRequest commit => new Reply(new OffsetCommitResponse
        {
            Topics = commit.Topics.Select(t => new OffsetCommitResponse.OffsetCommitResponseTopic
            {
                Name = t.Name,
                Partitions = t.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex }).ToList(),
            }).ToList(),
        }),
        HeartbeatRequest => new Reply(new HeartbeatResponse()),
        LeaveGroupRequest => new Reply(new LeaveGroupResponse()),
        _ => null,
    };

    [Fact]
    public async Task AMemberRejoinsWithTheIdItWasGivenOnMemberIdRequired()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => Coordinator(request, self!.Port));
        self = responder;
        await using var cluster = responder.NewClusterClient();
        var consumer = new GroupConsumer(cluster, "g", new GroupConsumerOptions { AutoCommitIntervalMs = null });
        consumer.Subscribe(["t"]);
        await consumer.PollAsync(CancellationToken.None);
        await consumer.CloseAsync(CancellationToken.None);

        Assert.Equal(
            [ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.JoinGroup, ApiKey.Metadata, ApiKey.SyncGroup, ApiKey.OffsetFetch,
             ApiKey.ListOffsets, ApiKey.Fetch, ApiKey.LeaveGroup],
            responder.ApiSequence);
        Assert.Equal(["", AssignedMemberId], responder.Received<JoinGroupRequest>().Select(j => j.MemberId));
        JoinGroupRequest rejoin = responder.Received<JoinGroupRequest>().Last();
        Assert.Equal("consumer", rejoin.ProtocolType);
        Assert.Equal("range", rejoin.Protocols.Single().Name);
        SyncGroupRequest sync = responder.Received<SyncGroupRequest>().Single();
        Assert.Equal((AssignedMemberId, 1), (sync.MemberId, sync.GenerationId));
        Assert.Equal(["t-0", "t-1", "t-2"], ConsumerProtocolCodec.DecodeAssignment(sync.Assignments.Single().Assignment).Select(p => p.ToString()));
        // Only the partitions without a committed offset are looked up; t-0 resumes from its commit.
        Assert.Equal([1, 2], responder.Received<ListOffsetsRequest>().Single().Topics.Single().Partitions.Select(p => p.PartitionIndex));
        Assert.Equal([5L, 10L, 10L], responder.Received<FetchRequest>().Single().Topics.Single().Partitions.Select(p => p.FetchOffset));
        Assert.Equal(AssignedMemberId, responder.Received<LeaveGroupRequest>().Single().Members.Single().MemberId);
    }

    [Fact]
    public async Task ClosingWithAutoCommitCommitsPositionsBeforeLeaving()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => Coordinator(request, self!.Port));
        self = responder;
        await using var cluster = responder.NewClusterClient();
        var consumer = new GroupConsumer(cluster, "g", new GroupConsumerOptions { AutoCommitIntervalMs = 60_000 });
        consumer.Subscribe(["t"]);
        await consumer.PollAsync(CancellationToken.None);
        await consumer.CloseAsync(CancellationToken.None);

        Assert.Equal([ApiKey.OffsetCommit, ApiKey.LeaveGroup], responder.ApiSequence.TakeLast(2));
        OffsetCommitRequest commit = responder.Received<OffsetCommitRequest>().Single();
        Assert.Equal((AssignedMemberId, 1), (commit.MemberId, commit.GenerationIdOrMemberEpoch));
        Assert.Equal([5L, 10L, 10L], commit.Topics.Single().Partitions.Select(p => p.CommittedOffset));
    }
}
