using Reference.Core.Node;

namespace Reference.Core.Tests;

public sealed class DeterministicRandomTests
{
    [Fact]
    public void SameSeedGivesTheSameSequence()
    {
        var first = new SplitMix64Random(42);
        var second = new SplitMix64Random(42);
        for (int i = 0; i < 100; i++) Assert.Equal(first.NextUInt64(), second.NextUInt64());
    }

    [Fact]
    public void DifferentSeedsDiverge()
    {
        Assert.NotEqual(new SplitMix64Random(1).NextUInt64(), new SplitMix64Random(2).NextUInt64());
    }

    [Fact]
    public void NextStaysInRange()
    {
        var random = new SplitMix64Random(7);
        for (int i = 0; i < 1000; i++) Assert.InRange(random.Next(10), 0, 9);
    }
}
