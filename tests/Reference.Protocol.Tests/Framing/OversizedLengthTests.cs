using System.Diagnostics;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Tests.Golden;

namespace Reference.Protocol.Tests.Framing;

/// <summary>
/// A count or length that claims 2^31-1 (the most an int32 or a five-byte uvarint can) in a frame of a
/// few dozen bytes. Each must be refused by comparing it with the bytes that remain, before a list or a
/// string of that size is allocated: one such frame would otherwise take gigabytes from the broker.
/// </summary>
public sealed class OversizedLengthTests
{
    /// <summary>What a refused frame may cost: the error, its message and the exception behind it.</summary>
    private const long AllocationBudgetBytes = 4 * 1024;

    /// <summary>Far above what a bounds check needs, far below what 2^31 of anything would take.</summary>
    private static readonly TimeSpan DecodeTimeMax = TimeSpan.FromSeconds(1);

    public static TheoryData<string, string> OversizedRequests() => new()
    {
        {
            "Metadata v4 topic count",
            """
            0003 0004 00000001 0003 617070  # header v1: Metadata v4, correlation id 1, client "app"
            7fffffff                        # Topics: int32 count 2^31-1
            00                              # one byte where 2^31-1 topics should be
            """
        },
        {
            "Metadata v9 compact topic count",
            """
            0003 0009 00000001 0003 617070 00  # header v2: Metadata v9
            8080808008                         # Topics: uvarint 2^31 = count 2^31-1
            00
            """
        },
        {
            "ApiVersions v3 compact string length",
            """
            0012 0003 00000001 0003 617070 00  # header v2: ApiVersions v3
            8080808008                         # ClientSoftwareName: uvarint 2^31 = length 2^31-1
            61
            """
        },
        {
            "Produce v7 records length",
            """
            0000 0007 00000001 0003 617070  # header v1: Produce v7
            ffff ffff 00007530              # TransactionalId null, Acks -1, TimeoutMs 30000
            00000001 0001 74                # TopicData: 1, Name "t"
            00000001 00000000               #   PartitionData: 1, Index 0
            7fffffff                        #     Records: int32 length 2^31-1
            00
            """
        },
        {
            "JoinGroup v5 metadata length",
            """
            000b 0005 00000001 0003 617070  # header v1: JoinGroup v5
            0002 6731 0000afc8 000493e0     # GroupId "g1", SessionTimeoutMs, RebalanceTimeoutMs
            0000 ffff 0008 636f6e73756d6572 # MemberId "", GroupInstanceId null, ProtocolType "consumer"
            00000001 0005 72616e6765        # Protocols: 1, Name "range"
            7fffffff                        #   Metadata: int32 length 2^31-1
            00
            """
        },
        {
            "request header tagged field count",
            """
            0012 0003 00000001 0003 617070  # header v2: ApiVersions v3
            ffffffff07                      #   tagged fields: uvarint count 2^31-1
            00
            """
        },
        {
            "ApiVersions v3 tagged field size",
            """
            0012 0003 00000001 0003 617070 00  # header v2: ApiVersions v3
            02 61 02 31                        # ClientSoftwareName "a", ClientSoftwareVersion "1"
            01 05 ffffffff07                   # tagged fields: 1; tag 5, uvarint size 2^31-1
            00
            """
        },
    };

    public static TheoryData<string, ApiKey, short, string> OversizedResponses() => new()
    {
        {
            "Fetch v11 topic count", ApiKey.Fetch, 11,
            """
            00000001                 # header v0: correlation id 1
            00000000 0000 00000000   # ThrottleTimeMs, ErrorCode, SessionId
            7fffffff                 # Responses: int32 count 2^31-1
            00
            """
        },
        {
            "Fetch v16 compact records length", ApiKey.Fetch, 16,
            """
            00000001 00                               # header v1: correlation id 1
            00000000 0000 00000000                    # ThrottleTimeMs, ErrorCode, SessionId
            02 00000000000000000000000000000001       # Responses: 1, TopicId
            02 00000000 0000                          #   Partitions: 1, PartitionIndex 0, ErrorCode 0
            0000000000000000 0000000000000000 0000000000000000  # HighWatermark, LastStableOffset, LogStartOffset
            01 ffffffff                               #     AbortedTransactions [], PreferredReadReplica -1
            8080808008                                #     Records: uvarint 2^31 = length 2^31-1
            00
            """
        },
        {
            "ApiVersions v0 key count", ApiKey.ApiVersions, 0,
            """
            00000001                 # header v0: correlation id 1
            0000                     # ErrorCode 0
            7fffffff                 # ApiKeys: int32 count 2^31-1
            0012 0000 0003
            """
        },
    };

    [Theory]
    [MemberData(nameof(OversizedRequests))]
    public void OversizedRequestClaimsFailFastWithoutAllocating(string claim, string annotatedFrame)
    {
        byte[] frame = AnnotatedHex.Parse(annotatedFrame);
        RequestDecoder.Decode(frame); // once first, so JIT and static initialisers are not counted

        (RequestDecodeResult result, long allocatedBytes, TimeSpan elapsed) = Measure(() => RequestDecoder.Decode(frame));

        Assert.False(result.IsSuccess, $"{claim}: decoded");
        Assert.Equal(1, result.Error!.CorrelationId);
        AssertCheap(claim, allocatedBytes, elapsed, result.Error.ToString());
    }

    [Theory]
    [MemberData(nameof(OversizedResponses))]
    public void OversizedResponseClaimsFailFastWithoutAllocating(string claim, ApiKey apiKey, short version, string annotatedFrame)
    {
        byte[] frame = AnnotatedHex.Parse(annotatedFrame);
        ResponseDecoder.Decode(frame, apiKey, version);

        (ResponseDecodeResult result, long allocatedBytes, TimeSpan elapsed) = Measure(() => ResponseDecoder.Decode(frame, apiKey, version));

        Assert.False(result.IsSuccess, $"{claim}: decoded");
        AssertCheap(claim, allocatedBytes, elapsed, result.Error!);
    }

    /// <summary>
    /// A count that does fit the frame (one element a byte could follow) but is followed by garbage: the
    /// first element fails. Reserving the claimed count up front would cost 8 bytes of list a frame byte;
    /// the cost must stay below the frame's own size.
    /// </summary>
    [Fact]
    public void ACountThatFitsTheFrameCostsLessThanTheFrameWhenItsElementsAreMissing()
    {
        const int claimedTopics = 64 * 1024;
        byte[] frame = AnnotatedHex.Parse($"""
            0003 0004 00000001 0003 617070  # header v1: Metadata v4
            {claimedTopics:x8}              # Topics: int32 count, one topic a remaining byte
            """).Concat(Enumerable.Repeat((byte)0xff, claimedTopics)).ToArray(); // Name null: malformed at once
        RequestDecoder.Decode(frame);

        (RequestDecodeResult result, long allocatedBytes, _) = Measure(() => RequestDecoder.Decode(frame));

        Assert.False(result.IsSuccess);
        Assert.True(allocatedBytes < frame.Length,
            $"refusing a {frame.Length}-byte frame that claims {claimedTopics} topics allocated {allocatedBytes} bytes; error: {result.Error}");
    }

    private static (T Result, long AllocatedBytes, TimeSpan Elapsed) Measure<T>(Func<T> decode)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        T result = decode();
        clock.Stop();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed);
    }

    private static void AssertCheap(string claim, long allocatedBytes, TimeSpan elapsed, string error)
    {
        Assert.True(error.Contains(int.MaxValue.ToString()), $"{claim}: refused for another reason than the claim: {error}");
        Assert.True(allocatedBytes < AllocationBudgetBytes,
            $"{claim}: refusing the frame allocated {allocatedBytes} bytes (budget {AllocationBudgetBytes}); error: {error}");
        Assert.True(elapsed < DecodeTimeMax, $"{claim}: refusing the frame took {elapsed.TotalMilliseconds} ms");
    }
}
