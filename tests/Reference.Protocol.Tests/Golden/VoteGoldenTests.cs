using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// Vote (key 52), from VoteRequest.json: flexible from v0, so even its first version has a v2 request
/// header and compact fields (KIP-595); v1 adds the voter id and both directory ids (KIP-853).
/// </summary>
public sealed class VoteGoldenTests
{
    [Fact]
    public void V0RequestIsFlexible()
    {
        byte[] frame = AnnotatedHex.Frame("""
            0000005f              # size: 95
            0034                  # header v2: RequestApiKey 52 (Vote)
            0000                  #   RequestApiVersion 0
            00000009              #   CorrelationId 9
            000d 726166742d636c69656e742d31  # ClientId "raft-client-1"
            00                    #   tagged fields: none
            17 4d6b55334f455642 4e5463774e544a454e 444d325167  # ClusterId "MkU3OEVBNTcwNTJENDM2Qg"
            02                    # Topics: compact array of 1
            13 5f5f636c75737465725f6d65746164617461  # TopicName "__cluster_metadata"
            02                    #   Partitions: compact array of 1
            00000000              #     PartitionIndex 0
            00000005              #     CandidateEpoch 5
            00000001              #     CandidateId 1
            00000004              #     LastOffsetEpoch 4
            0000000000000064      #     LastOffset 100
            00                    #     tagged fields: none
            00                    #   tagged fields: none
            00                    # tagged fields: none
            """);
        var header = new RequestHeader { RequestApiKey = 52, RequestApiVersion = 0, CorrelationId = 9, ClientId = "raft-client-1" };
        var body = new VoteRequest
        {
            ClusterId = "MkU3OEVBNTcwNTJENDM2Qg",
            Topics =
            [
                new()
                {
                    TopicName = "__cluster_metadata",
                    Partitions = [new() { PartitionIndex = 0, CandidateEpoch = 5, CandidateId = 1, LastOffsetEpoch = 4, LastOffset = 100 }],
                },
            ],
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        Assert.Equal(2, HeaderVersions.Request(ApiKey.Vote, 0));
        Assert.Equal(5, ((VoteRequest)decoded.Body).Topics[0].Partitions[0].CandidateEpoch);
    }

    [Fact]
    public void V1RequestAddsTheVoterAndDirectoryIds()
    {
        byte[] frame = AnnotatedHex.Frame("""
            00000083              # size: 131
            0034                  # header v2: RequestApiKey 52 (Vote)
            0001                  #   RequestApiVersion 1
            0000000a              #   CorrelationId 10
            000d 726166742d636c69656e742d31  # ClientId "raft-client-1"
            00                    #   tagged fields: none
            17 4d6b55334f455642 4e5463774e544a454e 444d325167  # ClusterId "MkU3OEVBNTcwNTJENDM2Qg"
            00000002              # VoterId 2 (v1+)
            02                    # Topics: compact array of 1
            13 5f5f636c75737465725f6d65746164617461  # TopicName "__cluster_metadata"
            02                    #   Partitions: compact array of 1
            00000000              #     PartitionIndex 0
            00000005              #     CandidateEpoch 5
            00000001              #     CandidateId 1
            0102030405060708090a0b0c0d0e0f10  # CandidateDirectoryId (v1+)
            1112131415161718191a1b1c1d1e1f20  # VoterDirectoryId (v1+)
            00000004              #     LastOffsetEpoch 4
            0000000000000064      #     LastOffset 100
            00                    #     tagged fields: none
            00                    #   tagged fields: none
            00                    # tagged fields: none
            """);
        var header = new RequestHeader { RequestApiKey = 52, RequestApiVersion = 1, CorrelationId = 10, ClientId = "raft-client-1" };
        var body = new VoteRequest
        {
            ClusterId = "MkU3OEVBNTcwNTJENDM2Qg",
            VoterId = 2,
            Topics =
            [
                new()
                {
                    TopicName = "__cluster_metadata",
                    Partitions =
                    [
                        new()
                        {
                            PartitionIndex = 0,
                            CandidateEpoch = 5,
                            CandidateId = 1,
                            CandidateDirectoryId = new Uuid(0x0102030405060708, 0x090a0b0c0d0e0f10),
                            VoterDirectoryId = new Uuid(0x1112131415161718, 0x191a1b1c1d1e1f20),
                            LastOffsetEpoch = 4,
                            LastOffset = 100,
                        },
                    ],
                },
            ],
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        Assert.Equal(2, ((VoteRequest)decoded.Body).VoterId);
    }
}
