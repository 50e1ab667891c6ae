using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// Fetch (key 1), from FetchRequest.json and FetchResponse.json. v11 is what librdkafka 2.0.2 sends
/// (classic encoding, topics by name); v15+ is what a KRaft follower sends on the metadata log (flexible,
/// topics by id, and the replica named in the tagged ReplicaState instead of the int32 ReplicaId that
/// v15 removed, KIP-903); v16 responses may name the new leader's endpoint (KIP-951).
/// </summary>
public sealed class FetchGoldenTests
{
    private const string ClusterId = "MkU3OEVBNTcwNTJENDM2Qg";
    private static readonly Uuid ReplicaDirectoryId = new(0x0102030405060708, 0x090a0b0c0d0e0f10);

    [Fact]
    public void V11ConsumerRequest()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000065              # size: 101
            0001                  # header v1: RequestApiKey 1 (Fetch)
            000b                  #   RequestApiVersion 11
            00000004              #   CorrelationId 4
            0003 617070           #   ClientId "app"
            ffffffff              # ReplicaId -1 (a consumer)
            000001f4              # MaxWaitMs 500
            00000001              # MinBytes 1
            03200000              # MaxBytes 52428800 (v3+)
            01                    # IsolationLevel 1, read_committed (v4+)
            00000000              # SessionId 0 (v7+)
            ffffffff              # SessionEpoch -1: no fetch session (v7+)
            00000001              # Topics: int32 count 1
            0006 6f7264657273     #   Topic "orders"
            00000001              #   Partitions: int32 count 1
            00000000              #     Partition 0
            00000005              #     CurrentLeaderEpoch 5 (v9+)
            000000000000002a      #     FetchOffset 42
            ffffffffffffffff      #     LogStartOffset -1 (v5+; followers only)
            00100000              #     PartitionMaxBytes 1048576
            00000001              # ForgottenTopicsData: int32 count 1 (v7+)
            0003 6f6c64           #   Topic "old"
            00000001              #   Partitions: int32 count 1
            00000003              #     3
            0000                  # RackId "" (v11+)
            """);
        var header = new RequestHeader { RequestApiKey = 1, RequestApiVersion = 11, CorrelationId = 4, ClientId = "app" };
        var body = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 500,
            MinBytes = 1,
            MaxBytes = 52428800,
            IsolationLevel = 1,
            SessionId = 0,
            SessionEpoch = -1,
            Topics =
            [
                new()
                {
                    Topic = "orders",
                    Partitions = [new() { Partition = 0, CurrentLeaderEpoch = 5, FetchOffset = 42, LogStartOffset = -1, PartitionMaxBytes = 1048576 }],
                },
            ],
            ForgottenTopicsData = [new() { Topic = "old", Partitions = [3] }],
            RackId = "",
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        Assert.Equal(42, ((FetchRequest)decoded.Body).Topics[0].Partitions[0].FetchOffset);
    }

    [Fact]
    public void V11ResponseCarriesAbortedTransactionsAndTheRecordBatch()
    {
        byte[] frame = AnnotatedHex.Frame($"""
            0000009e              # size: 158
            00000004              # header v0: CorrelationId 4
            00000000              # ThrottleTimeMs 0
            0000                  # ErrorCode 0 (v7+)
            00000000              # SessionId 0 (v7+)
            00000001              # Responses: int32 count 1
            0006 6f7264657273     #   Topic "orders"
            00000001              #   Partitions: int32 count 1
            00000000              #     PartitionIndex 0
            0000                  #     ErrorCode 0
            000000000000002b      #     HighWatermark 43
            000000000000002b      #     LastStableOffset 43 (v4+)
            0000000000000000      #     LogStartOffset 0 (v5+)
            00000001              #     AbortedTransactions: int32 count 1 (v4+, nullable)
            0000000000000007      #       ProducerId 7
            000000000000000a      #       FirstOffset 10
            ffffffff              #     PreferredReadReplica -1 (v11+)
            00000046              #     Records: int32 length 70
            {ProduceGoldenTests.OneRecordBatch}
            """);
        var body = new FetchResponse
        {
            ThrottleTimeMs = 0,
            ErrorCode = 0,
            SessionId = 0,
            Responses =
            [
                new()
                {
                    Topic = "orders",
                    Partitions =
                    [
                        new()
                        {
                            PartitionIndex = 0,
                            ErrorCode = 0,
                            HighWatermark = 43,
                            LastStableOffset = 43,
                            LogStartOffset = 0,
                            AbortedTransactions = [new() { ProducerId = 7, FirstOffset = 10 }],
                            PreferredReadReplica = -1,
                            Records = ProduceGoldenTests.OneRecordBatchBytes,
                        },
                    ],
                },
            ],
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 4, apiVersion: 11, body);

        FetchResponse.PartitionData partition = ((FetchResponse)decoded.Body).Responses[0].Partitions[0];
        Assert.Equal(70, partition.Records!.Value.Length);
        Assert.Null(partition.CurrentLeader); // tagged fields do not exist before v12
    }

    [Fact]
    public void V17FollowerRequestNamesTheReplicaInTheTaggedReplicaState()
    {
        byte[] frame = AnnotatedHex.Frame("""
            0000009e              # size: 158
            0001                  # header v2: RequestApiKey 1 (Fetch)
            0011                  #   RequestApiVersion 17
            00000005              #   CorrelationId 5
            000d 726166742d636c69656e742d32  # ClientId "raft-client-2": int16 length in header v2
            00                    #   tagged fields: none
                                  # (no int32 ReplicaId: it exists in versions 0-14 only)
            000001f4              # MaxWaitMs 500
            00000000              # MinBytes 0
            00800000              # MaxBytes 8388608
            00                    # IsolationLevel 0
            00000000              # SessionId 0
            ffffffff              # SessionEpoch -1
            02                    # Topics: compact array of 1
            00000000000000000000000000000001  # TopicId: __cluster_metadata's reserved id (v13+)
            02                    #   Partitions: compact array of 1
            00000000              #     Partition 0
            00000005              #     CurrentLeaderEpoch 5
            0000000000000064      #     FetchOffset 100
            00000004              #     LastFetchedEpoch 4 (v12+)
            ffffffffffffffff      #     LogStartOffset -1
            00100000              #     PartitionMaxBytes 1048576
            01                    #     tagged fields: 1
            00 10                 #       tag 0 (ReplicaDirectoryId, v17+), 16 bytes
            0102030405060708090a0b0c0d0e0f10  # the directory id
            00                    #   tagged fields: none
            01                    # ForgottenTopicsData: compact array of 0
            01                    # RackId ""
            02                    # tagged fields: 2, in tag order
            00 17                 #   tag 0 (ClusterId), 23 bytes
            17 4d6b55334f455642 4e5463774e544a454e 444d325167  # compact string "MkU3OEVBNTcwNTJENDM2Qg": uvarint(22 + 1)
            01 0d                 #   tag 1 (ReplicaState, v15+), 13 bytes
            00000002              #     ReplicaId 2
            ffffffffffffffff      #     ReplicaEpoch -1
            00                    #     tagged fields: none
            """);
        var header = new RequestHeader { RequestApiKey = 1, RequestApiVersion = 17, CorrelationId = 5, ClientId = "raft-client-2" };
        var body = new FetchRequest
        {
            ClusterId = ClusterId,
            ReplicaState = new() { ReplicaId = 2, ReplicaEpoch = -1 },
            MaxWaitMs = 500,
            MinBytes = 0,
            MaxBytes = 8388608,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1,
            Topics =
            [
                new()
                {
                    TopicId = Uuid.MetadataTopicId,
                    Partitions =
                    [
                        new()
                        {
                            Partition = 0,
                            CurrentLeaderEpoch = 5,
                            FetchOffset = 100,
                            LastFetchedEpoch = 4,
                            LogStartOffset = -1,
                            PartitionMaxBytes = 1048576,
                            ReplicaDirectoryId = ReplicaDirectoryId,
                        },
                    ],
                },
            ],
            ForgottenTopicsData = [],
            RackId = "",
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        var request = (FetchRequest)decoded.Body;
        Assert.Equal(2, request.ReplicaState!.ReplicaId);
        Assert.Equal(-1, request.ReplicaId); // the v0-14 field keeps its default: nothing on the wire sets it
    }

    [Fact]
    public void V15DropsTheInt32ReplicaIdEvenWhenTheMessageHasOne()
    {
        var withStaleReplicaId = new FetchRequest { ReplicaId = 7, ReplicaState = new() { ReplicaId = 2, ReplicaEpoch = 9 } };
        var withoutIt = new FetchRequest { ReplicaState = new() { ReplicaId = 2, ReplicaEpoch = 9 } };

        byte[] v15 = MessageBytes.Encode(withStaleReplicaId, 15);

        GoldenFrame.AssertSameBytes(MessageBytes.Encode(withoutIt, 15), v15);
        Assert.True(MessageBytes.TryDecode(v15, 15, out FetchRequest? decoded, out string? error), error);
        Assert.Equal(-1, decoded!.ReplicaId);
        Assert.Equal(2, decoded.ReplicaState!.ReplicaId);
    }

    [Fact]
    public void V16ResponseEmitsAndParsesTaggedFieldsInTagOrder()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000088              # size: 136
            00000006              # header v1: CorrelationId 6
            00                    #   tagged fields: none
            00000000              # ThrottleTimeMs 0
            0000                  # ErrorCode 0
            00000000              # SessionId 0
            02                    # Responses: compact array of 1
            00000000000000000000000000000001  # TopicId: __cluster_metadata
            02                    #   Partitions: compact array of 1
            00000000              #     PartitionIndex 0
            0000                  #     ErrorCode 0
            0000000000000064      #     HighWatermark 100
            0000000000000064      #     LastStableOffset 100
            0000000000000000      #     LogStartOffset 0
            01                    #     AbortedTransactions: compact array of 0
            ffffffff              #     PreferredReadReplica -1
            01                    #     Records: compact bytes, empty
            03                    #     tagged fields: 3, in tag order
            00 0d                 #       tag 0 (DivergingEpoch), 13 bytes
            00000004              #         Epoch 4
            000000000000005a      #         EndOffset 90
            00                    #         tagged fields: none
            01 09                 #       tag 1 (CurrentLeader), 9 bytes
            00000001              #         LeaderId 1
            00000005              #         LeaderEpoch 5
            00                    #         tagged fields: none
            02 0d                 #       tag 2 (SnapshotId), 13 bytes
            0000000000000050      #         EndOffset 80
            00000003              #         Epoch 3
            00                    #         tagged fields: none
            00                    #   tagged fields: none
            01                    # tagged fields: 1
            00 15                 #   tag 0 (NodeEndpoints, v16+), 21 bytes
            02                    #     compact array of 1
            00000001              #       NodeId 1
            0a 6c6f63616c686f7374 #       Host "localhost"
            00002385              #       Port 9093
            00                    #       Rack null
            00                    #       tagged fields: none
            """);
        // Not a state a leader would answer with (a divergence and a snapshot id at once): all three
        // partition tags are set to show them written and read in ascending tag order.
        var body = new FetchResponse
        {
            Responses =
            [
                new()
                {
                    TopicId = Uuid.MetadataTopicId,
                    Partitions =
                    [
                        new()
                        {
                            PartitionIndex = 0,
                            HighWatermark = 100,
                            LastStableOffset = 100,
                            LogStartOffset = 0,
                            DivergingEpoch = new() { Epoch = 4, EndOffset = 90 },
                            CurrentLeader = new() { LeaderId = 1, LeaderEpoch = 5 },
                            SnapshotId = new() { EndOffset = 80, Epoch = 3 },
                            AbortedTransactions = [],
                            PreferredReadReplica = -1,
                            Records = ReadOnlyMemory<byte>.Empty,
                        },
                    ],
                },
            ],
            NodeEndpoints = [new() { NodeId = 1, Host = "localhost", Port = 9093, Rack = null }],
        };

        DecodedResponse decoded = GoldenFrame.AssertResponse(frame, correlationId: 6, apiVersion: 16, body);

        var response = (FetchResponse)decoded.Body;
        FetchResponse.PartitionData partition = response.Responses[0].Partitions[0];
        Assert.Equal(90, partition.DivergingEpoch!.EndOffset);
        Assert.Equal(1, partition.CurrentLeader!.LeaderId);
        Assert.Equal(80, partition.SnapshotId!.EndOffset);
        Assert.Equal(9093, response.NodeEndpoints.Single().Port);
        Assert.Null(partition.UnknownTaggedFields);
    }
}
