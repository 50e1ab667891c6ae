using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Reference.Client.Producer;

namespace Reference.Client.Tests.Producer;

/// <summary>
/// The vectors were derived by running Kafka's Utils.murmur2, transcribed to Java, on a JVM (Java's own
/// int arithmetic); the first six match those in Kafka's UtilsTest.
/// </summary>
public sealed class Murmur2Tests
{
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    [InlineData("", 275646681)]
    [InlineData("a", -1563381124)]
    [InlineData("ab", 316155434)]
    [InlineData("key1", 28543940)]
    [InlineData("kafka", -798503068)]
    public void HashMatchesKafkaForEveryTailLength(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void HashTreatsBytesAsUnsignedLikeJavasMask() =>
        Assert.Equal(-1958495739, Murmur2.Hash([0xff, 0x80, 0x7f, 0x00, 0xfe]));

    [Theory]
    [InlineData("key1", 3, 2)]
    [InlineData("key2", 3, 2)]
    [InlineData("user-42", 6, 4)]
    [InlineData("kafka", 10, 0)]
    [InlineData("a-little-bit-longer-string", 10, 9)]
    [InlineData("21", 6, 0)]
    public void KeyedRecordsGoWhereKafkasDefaultPartitionerSendsThem(string key, int partitions, int expected) =>
        Assert.Equal(expected, Murmur2.PartitionForKey(Encoding.UTF8.GetBytes(key), partitions));

    [Fact]
    public void ToPositiveClearsTheSignBitInsteadOfNegating()
    {
        Assert.Equal(0, Murmur2.ToPositive(int.MinValue));
        Assert.Equal(int.MaxValue, Murmur2.ToPositive(-1));
        Assert.Equal(5, Murmur2.ToPositive(5));
    }

    [Fact]
    public void EveryKeyLandsOnAnExistingPartition() =>
        Prop.ForAll<byte[], PositiveInt>((key, count) =>
        {
            int partition = Murmur2.PartitionForKey(key ?? [], count.Get);
            return partition >= 0 && partition < count.Get;
        }).QuickCheckThrowOnFailure();
}
