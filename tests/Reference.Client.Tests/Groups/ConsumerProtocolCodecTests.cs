using Reference.Client.Groups;

namespace Reference.Client.Tests.Groups;

public sealed class ConsumerProtocolCodecTests
{
    [Fact]
    public void ASubscriptionCarriesItsVersionAndTopics()
    {
        byte[] bytes = ConsumerProtocolCodec.EncodeSubscription(["b", "a"], [new TopicPartition("a", 1)], 4);
        Assert.Equal([0, 3], bytes[..2]);
        var (topics, version) = ConsumerProtocolCodec.DecodeSubscription(bytes);
        Assert.Equal(3, version);
        Assert.Equal(["b", "a"], topics);
    }

    [Fact]
    public void AnAssignmentRoundTripsInPartitionOrder()
    {
        TopicPartition[] partitions = [new("t", 2), new("s", 0), new("t", 0)];
        Assert.Equal(["s-0", "t-0", "t-2"], ConsumerProtocolCodec.DecodeAssignment(ConsumerProtocolCodec.EncodeAssignment(partitions, 1)).Select(p => p.ToString()));
    }

    [Fact]
    public void EmptyAssignmentBytesMeanNoPartitions() => Assert.Empty(ConsumerProtocolCodec.DecodeAssignment(ReadOnlyMemory<byte>.Empty));

    [Fact]
    public void ANewerVersionIsReadAsOursIgnoringWhatFollows()
    {
        byte[] v3 = ConsumerProtocolCodec.EncodeAssignment([new TopicPartition("t", 0)], 3);
        byte[] v9 = [0, 9, .. v3[2..], 1, 2, 3];
        Assert.Equal("t-0", ConsumerProtocolCodec.DecodeAssignment(v9).Single().ToString());
    }
}
