using Reference.Core.Log;

namespace Reference.Core.Tests.Log;

public sealed class LeaderEpochCacheTests
{
    private static LeaderEpochCache Cache(params (int Epoch, long Start)[] entries) =>
        new(entries.Select(entry => new EpochStartOffset(entry.Epoch, entry.Start)));

    [Fact]
    public void TheLatestEpochEndsAtTheLogEnd()
    {
        Assert.Equal(new LeaderEpochEnd(3, 42), Cache((1, 0), (3, 10)).EndOffsetFor(3, logEndOffset: 42));
    }

    [Fact]
    public void AnOlderEpochEndsWhereTheNextOneStarts()
    {
        LeaderEpochCache cache = Cache((1, 0), (3, 10), (5, 20));
        Assert.Equal(new LeaderEpochEnd(3, 20), cache.EndOffsetFor(3, 42));
        // Epoch 4 never wrote: the answer is the epoch before it and where epoch 5 starts (Kafka's floor/higher rule).
        Assert.Equal(new LeaderEpochEnd(3, 20), cache.EndOffsetFor(4, 42));
        // Older than everything: owns all before the first entry.
        Assert.Equal(new LeaderEpochEnd(0, 0), cache.EndOffsetFor(0, 42));
    }

    [Fact]
    public void UnknownEpochsAreUndefined()
    {
        Assert.Equal(LeaderEpochEnd.Undefined, Cache((1, 0)).EndOffsetFor(7, 42));
        Assert.Equal(LeaderEpochEnd.Undefined, Cache().EndOffsetFor(1, 42));
        Assert.Equal(LeaderEpochEnd.Undefined, Cache((1, 0)).EndOffsetFor(-1, 42));
    }

    [Fact]
    public void AssigningDropsEntriesItContradicts()
    {
        LeaderEpochCache cache = Cache((1, 0), (2, 10), (3, 20));
        cache.Assign(4, 15); // a new leader that truncated to 15 before its epoch began
        Assert.Equal([new EpochStartOffset(1, 0), new EpochStartOffset(2, 10), new EpochStartOffset(4, 15)], cache.Entries);
        cache.Assign(4, 30); // same epoch again later: nothing changes
        Assert.Equal(new EpochStartOffset(4, 15), cache.Entries[^1]);
        cache.Assign(-1, 40); // a batch no leader stamped
        Assert.Equal(3, cache.Entries.Count);
    }

    [Fact]
    public void TruncatingFromTheEndForgetsEpochsStartingAtOrPastTheNewEnd()
    {
        LeaderEpochCache cache = Cache((1, 0), (2, 10), (3, 20));
        cache.TruncateFromEnd(20);
        Assert.Equal([new EpochStartOffset(1, 0), new EpochStartOffset(2, 10)], cache.Entries);
        cache.TruncateFromEnd(15); // inside epoch 2: it keeps its start
        Assert.Equal(2, cache.LatestEpoch);
        cache.TruncateFromEnd(0);
        Assert.Null(cache.LatestEpoch);
    }

    [Fact]
    public void TruncatingFromTheStartKeepsTheEpochHoldingTheNewStart()
    {
        LeaderEpochCache cache = Cache((1, 0), (2, 10), (3, 20));
        cache.TruncateFromStart(15);
        Assert.Equal([new EpochStartOffset(2, 15), new EpochStartOffset(3, 20)], cache.Entries);
        Assert.Equal(2, cache.EpochForOffset(15));
        Assert.Equal(3, cache.EpochForOffset(99));
        Assert.Null(cache.EpochForOffset(14));
    }
}
