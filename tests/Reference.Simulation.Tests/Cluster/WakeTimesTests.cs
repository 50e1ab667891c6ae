using Reference.Core.Node;
using Reference.Simulation.Cluster;

namespace Reference.Simulation.Tests.Cluster;

/// <summary>A node's pending wake-up times: each time once, and one delivery satisfies every time at or before it.</summary>
public sealed class WakeTimesTests
{
    [Fact]
    public void AddsEachTimeOnceWhateverTheOrder()
    {
        var times = new WakeTimes();
        Assert.True(times.Add(300));
        Assert.True(times.Add(100));
        Assert.True(times.Add(200));
        Assert.False(times.Add(100));
        Assert.Equal(3, times.Count);
        Assert.True(times.Contains(100) && times.Contains(200) && times.Contains(300));
        Assert.False(times.Contains(150));
    }

    [Fact]
    public void RemovingUpToATimeForgetsItAndEveryEarlierOneAndSaysHowMany()
    {
        var times = new WakeTimes();
        foreach (long atMs in new long[] { 50, 10, 30, 20, 40 }) times.Add(atMs);
        Assert.Equal(3, times.RemoveUpTo(30));
        Assert.False(times.Contains(10) || times.Contains(20) || times.Contains(30));
        Assert.True(times.Contains(40) && times.Contains(50));
        Assert.Equal(1, times.RemoveUpTo(45));
        Assert.Equal(0, times.RemoveUpTo(45));
        Assert.Equal(1, times.Count);
    }

    /// <summary>The set it replaced, as the oracle: the same adds, lookups and removals agree step by step.</summary>
    [Fact]
    public void AgreesWithASortedSetOverASeededSequence()
    {
        var random = new SplitMix64Random(7);
        var times = new WakeTimes();
        var oracle = new SortedSet<long>();
        for (int step = 0; step < 5_000; step++)
        {
            long atMs = random.Next(200);
            switch (random.Next(4))
            {
                case 0:
                case 1:
                    Assert.Equal(oracle.Add(atMs), times.Add(atMs));
                    break;
                case 2:
                    Assert.Equal(oracle.RemoveWhere(t => t <= atMs), times.RemoveUpTo(atMs));
                    break;
                default:
                    Assert.Equal(oracle.Contains(atMs), times.Contains(atMs));
                    break;
            }
            Assert.Equal(oracle.Count, times.Count);
        }
        times.Clear();
        Assert.Equal(0, times.Count);
    }
}
