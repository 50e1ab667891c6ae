using FsCheck;
using FsCheck.Fluent;
using Reference.Core.Groups;

namespace Reference.Core.Tests.Groups;

public sealed class OffsetsTopicTests
{
    /// <summary>Values of Java's <c>"...".hashCode()</c>, as a JVM prints them.</summary>
    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 97)]
    [InlineData("abc", 96354)]
    [InlineData("hello", 99162322)]
    [InlineData("Aa", 2112)]
    [InlineData("BB", 2112)]
    [InlineData("my-group", -1906497762)]
    [InlineData("console-consumer-12345", 158455506)]
    [InlineData("groupé", -1237460406)]
    [InlineData("\U0001F600", 1772899)] // one code point, two UTF-16 units, as Java counts it
    [InlineData("polygenelubricants", int.MinValue)]
    public void JavaStringHashCodeMatchesTheJvm(string value, int expected)
    {
        Assert.Equal(expected, OffsetsTopic.JavaStringHashCode(value));
    }

    [Theory]
    [InlineData("my-group", 50, 12)]
    [InlineData("groupé", 50, 6)]
    [InlineData("\U0001F600", 50, 49)]
    [InlineData("kafkajs-group", 50, 43)]
    [InlineData("abc", 50, 4)]
    public void GroupsLandInKafkasPartition(string groupId, int partitions, int expected)
    {
        Assert.Equal(expected, OffsetsTopic.PartitionFor(groupId, partitions));
    }

    [Fact]
    public void TheHashWithNoPositiveCounterpartLandsInPartitionZero()
    {
        // Math.Abs(int.MinValue) overflows; Kafka's Utils.abs maps it to 0 instead.
        Assert.Equal(0, OffsetsTopic.KafkaAbs(int.MinValue));
        Assert.Equal(0, OffsetsTopic.PartitionFor("polygenelubricants", 7));
    }

    [Fact]
    public void EveryGroupLandsInAnExistingPartition()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), Gen.Choose(1, 200).ToArbitrary(), (groupId, partitions) =>
        {
            if (groupId is null) return true;
            int partition = OffsetsTopic.PartitionFor(groupId, partitions);
            return partition >= 0 && partition < partitions && partition == OffsetsTopic.PartitionFor(groupId, partitions);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }
}
