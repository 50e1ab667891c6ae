using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests.Framing;

/// <summary>
/// The broker listener's advertised ranges against the rules of research/kafka-protocol-scope.md §0:
/// librdkafka 2.0.2 checks that ranges overlap, not only maximums, so a minimum set too high silently
/// turns off consumer groups, LZ4 or idempotence in the client.
/// </summary>
public sealed class ApiVersionTableTests
{
    private static VersionRange Advertised(ApiKey key)
    {
        Assert.True(ApiVersionTable.BrokerListener.TryGetRange(key, out VersionRange range), $"the broker listener does not list {key}");
        return range;
    }

    [Theory]
    [InlineData(ApiKey.ApiVersions)]
    [InlineData(ApiKey.FindCoordinator)]
    [InlineData(ApiKey.JoinGroup)]
    [InlineData(ApiKey.SyncGroup)]
    [InlineData(ApiKey.Heartbeat)]
    [InlineData(ApiKey.LeaveGroup)]
    [InlineData(ApiKey.InitProducerId)]
    public void TheRpcsLibrdkafkaProbesAtVersionZeroStartAtZero(ApiKey key)
    {
        Assert.Equal(0, Advertised(key).Lowest);
    }

    [Theory]
    [InlineData(ApiKey.OffsetFetch, 1)]
    [InlineData(ApiKey.ListOffsets, 1)]
    [InlineData(ApiKey.OffsetCommit, 2)]
    [InlineData(ApiKey.Produce, 3)]
    [InlineData(ApiKey.Fetch, 4)]
    public void MinimumsStayLowEnoughForLibrdkafka(ApiKey key, short lowestAtMost)
    {
        Assert.True(Advertised(key).Lowest <= lowestAtMost, $"{key} starts at {Advertised(key).Lowest}, above {lowestAtMost}");
    }

    /// <summary>zstd needs Produce 7 and Fetch 10; librdkafka opens with ApiVersions v3.</summary>
    [Theory]
    [InlineData(ApiKey.Produce, 7)]
    [InlineData(ApiKey.Fetch, 10)]
    [InlineData(ApiKey.ApiVersions, 3)]
    public void MaximumsReachWhatTheClientsNeed(ApiKey key, short highestAtLeast)
    {
        Assert.True(Advertised(key).Highest >= highestAtLeast, $"{key} ends at {Advertised(key).Highest}, below {highestAtLeast}");
    }

    /// <summary>
    /// Every feature is on except four, each off for a reason that costs nothing: MsgVer1 and ThrottleTime
    /// need Produce and Fetch v1-2, which librdkafka consults only when MsgVer2 is off (the else branches
    /// of its msgset writer and Fetch request); the two SASL features need SaslHandshake, and the broker
    /// listener is PLAINTEXT only. Adding SASL will fail this test on purpose: move them to the enabled set.
    /// </summary>
    [Fact]
    public void LibrdkafkaEnablesEveryFeatureAPlaintextBrokerCanOffer()
    {
        var offByDesign = new HashSet<LibrdkafkaFeature>
        {
            LibrdkafkaFeature.MsgVer1, LibrdkafkaFeature.ThrottleTime, LibrdkafkaFeature.SaslHandshake, LibrdkafkaFeature.SaslAuthReq,
        };

        ISet<LibrdkafkaFeature> enabled = Librdkafka202FeatureCheck.EnabledFeatures(AsLibrdkafkaReadsIt(ApiVersionTable.BrokerListener));

        var expected = Enum.GetValues<LibrdkafkaFeature>().Except(offByDesign).Order().ToList();
        Assert.Equal(expected, enabled.Order().ToList());
        Assert.Contains(LibrdkafkaFeature.MsgVer2, enabled);
    }

    /// <summary>The table as the client sees it: rendered into our ApiVersions v3 answer, framed, and read back.</summary>
    private static Dictionary<ApiKey, VersionRange> AsLibrdkafkaReadsIt(ApiVersionTable table)
    {
        byte[] frame = FrameEncoder.Response(1, 3, new ApiVersionsResponse { ApiKeys = table.ToResponseEntries() });
        ResponseDecodeResult answer = ResponseDecoder.Decode(frame.AsMemory(4), ApiKey.ApiVersions, 3);
        Assert.True(answer.IsSuccess, answer.Error);
        return ((ApiVersionsResponse)answer.Response!.Body).ApiKeys
            .ToDictionary(entry => (ApiKey)entry.ApiKey, entry => new VersionRange(entry.MinVersion, entry.MaxVersion));
    }

    /// <summary>The failure §0 warns of, to show the check can fail: FindCoordinator from 3 turns off groups and LZ4.</summary>
    [Fact]
    public void AdvertisingFindCoordinatorFromThreeWouldTurnOffGroupsAndLz4()
    {
        Dictionary<ApiKey, VersionRange> findCoordinatorFromThree = ApiVersionTable.BrokerListener.Entries.ToDictionary();
        findCoordinatorFromThree[ApiKey.FindCoordinator] = new VersionRange(3, 4);

        ISet<LibrdkafkaFeature> enabled = Librdkafka202FeatureCheck.EnabledFeatures(findCoordinatorFromThree);

        Assert.DoesNotContain(LibrdkafkaFeature.BrokerGroupCoordinator, enabled);
        Assert.DoesNotContain(LibrdkafkaFeature.BrokerBalancedConsumer, enabled);
        Assert.DoesNotContain(LibrdkafkaFeature.Lz4, enabled);
        Assert.Contains(LibrdkafkaFeature.MsgVer2, enabled);
    }
}
