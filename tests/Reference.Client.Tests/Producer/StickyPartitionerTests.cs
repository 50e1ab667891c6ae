using Reference.Client.Producer;

namespace Reference.Client.Tests.Producer;

public sealed class StickyPartitionerTests
{
    private static readonly int[] AllSix = [0, 1, 2, 3, 4, 5];

    [Fact]
    public void KeylessRecordsStayOnOnePartitionUntilItsBatchCloses()
    {
        var partitioner = new StickyPartitioner(new Random(7));
        int first = partitioner.Partition("t", 6, AllSix);
        for (int i = 0; i < 100; i++) Assert.Equal(first, partitioner.Partition("t", 6, AllSix));
        partitioner.OnBatchClosed("t", first, 6, AllSix);
        Assert.NotEqual(first, partitioner.Partition("t", 6, AllSix));
    }

    [Fact]
    public void ClosingAnotherPartitionsBatchDoesNotMoveTheStickyPartition()
    {
        var partitioner = new StickyPartitioner(new Random(1));
        int sticky = partitioner.Partition("t", 6, AllSix);
        partitioner.OnBatchClosed("t", (sticky + 1) % 6, 6, AllSix);
        Assert.Equal(sticky, partitioner.Partition("t", 6, AllSix));
    }

    [Fact]
    public void OnlyPartitionsWithALeaderAreChosenWhileAnyHasOne()
    {
        var partitioner = new StickyPartitioner(new Random(3));
        int[] available = [1, 4];
        for (int batch = 0; batch < 50; batch++)
        {
            int chosen = partitioner.Partition("t", 6, available);
            Assert.Contains(chosen, available);
            partitioner.OnBatchClosed("t", chosen, 6, available);
        }
    }

    [Fact]
    public void ASingleAvailablePartitionIsKeptAfterItsBatchCloses()
    {
        var partitioner = new StickyPartitioner(new Random(3));
        Assert.Equal(2, partitioner.Partition("t", 6, [2]));
        partitioner.OnBatchClosed("t", 2, 6, [2]);
        Assert.Equal(2, partitioner.Partition("t", 6, [2]));
    }

    [Fact]
    public void WithNoLeaderAnywhereAnyPartitionMayBeChosen()
    {
        var partitioner = new StickyPartitioner(new Random(5));
        int chosen = partitioner.Partition("t", 6, []);
        Assert.InRange(chosen, 0, 5);
    }

    [Fact]
    public void BatchesSpreadOverEveryPartitionInTheLongRun()
    {
        var partitioner = new StickyPartitioner(new Random(11));
        var seen = new HashSet<int>();
        for (int batch = 0; batch < 200; batch++)
        {
            int chosen = partitioner.Partition("t", 6, AllSix);
            seen.Add(chosen);
            partitioner.OnBatchClosed("t", chosen, 6, AllSix);
        }
        Assert.Equal(AllSix, seen.Order());
    }

    [Fact]
    public void TopicsHaveTheirOwnStickyPartitions()
    {
        var partitioner = new StickyPartitioner(new Random(2));
        int a = partitioner.Partition("a", 6, AllSix);
        partitioner.OnBatchClosed("b", a, 6, AllSix);
        Assert.Equal(a, partitioner.Partition("a", 6, AllSix));
    }
}
