using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Raft.Harness;

/// <summary>
/// Sends every KRaft message through its wire encoding in the version it was sent in, so the tests catch
/// a field set that the version does not carry (a topic name where v13+ has an id, a tagged field lost).
/// </summary>
internal static class WireRoundTrip
{
    public static IRequestBody Request(IRequestBody body, short version) => body switch
    {
        VoteRequest vote => Decode<VoteRequest>(vote, version),
        BeginQuorumEpochRequest begin => Decode<BeginQuorumEpochRequest>(begin, version),
        EndQuorumEpochRequest end => Decode<EndQuorumEpochRequest>(end, version),
        FetchRequest fetch => Decode<FetchRequest>(fetch, version),
        DescribeQuorumRequest describe => Decode<DescribeQuorumRequest>(describe, version),
        FetchSnapshotRequest fetchSnapshot => Decode<FetchSnapshotRequest>(fetchSnapshot, version),
        _ => throw new InvalidOperationException($"no round trip for {body.GetType().Name}"),
    };

    public static IResponseBody Response(IResponseBody body, short version) => body switch
    {
        VoteResponse vote => Decode<VoteResponse>(vote, version),
        BeginQuorumEpochResponse begin => Decode<BeginQuorumEpochResponse>(begin, version),
        EndQuorumEpochResponse end => Decode<EndQuorumEpochResponse>(end, version),
        FetchResponse fetch => Decode<FetchResponse>(fetch, version),
        DescribeQuorumResponse describe => Decode<DescribeQuorumResponse>(describe, version),
        FetchSnapshotResponse fetchSnapshot => Decode<FetchSnapshotResponse>(fetchSnapshot, version),
        _ => throw new InvalidOperationException($"no round trip for {body.GetType().Name}"),
    };

    private static T Decode<T>(T message, short version) where T : class, IMessage<T>
    {
        byte[] bytes = MessageBytes.Encode(message, version);
        if (!MessageBytes.TryDecode(bytes, version, out T? decoded, out string? error)) throw new InvalidOperationException(error);
        return decoded!;
    }
}
