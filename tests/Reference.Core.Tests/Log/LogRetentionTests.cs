using Reference.Core.Log;

namespace Reference.Core.Tests.Log;

public sealed class LogRetentionTests
{
    // Four segments of 100 bytes: [0,10) [10,20) [20,30) and the active [30,35), newest timestamps 1000..4000.
    private static readonly LogSegmentInfo[] Segments =
    [
        new(0, 10, 100, 1_000, 0),
        new(10, 20, 100, 2_000, 0),
        new(20, 30, 100, 3_000, 0),
        new(30, 35, 100, 4_000, 0),
    ];

    private static TopicLogConfig Retention(long ms = -1, long bytes = -1) => new() { RetentionMs = ms, RetentionBytes = bytes, MinInsyncReplicas = 1 };

    [Fact]
    public void SegmentsOlderThanRetentionMsGo()
    {
        // At 3500 with retention.ms 1000, segments whose newest record is before 2500 are due.
        Assert.Equal(20, LogRetention.NewLogStartOffset(Segments, 0, highWatermark: 35, Retention(ms: 1_000), nowMs: 3_500));
    }

    [Fact]
    public void TheActiveSegmentNeverGoesEvenWhenEverythingIsOld()
    {
        Assert.Equal(30, LogRetention.NewLogStartOffset(Segments, 0, 35, Retention(ms: 1), nowMs: 1_000_000));
    }

    [Fact]
    public void OldestSegmentsGoWhileTheLogIsLargerThanRetentionBytes()
    {
        // 400 bytes against 250: one segment goes (300 left); a second would leave 200, below the limit, so it stays.
        Assert.Equal(10, LogRetention.NewLogStartOffset(Segments, 0, 35, Retention(bytes: 250), nowMs: 0));
        Assert.Equal(20, LogRetention.NewLogStartOffset(Segments, 0, 35, Retention(bytes: 200), nowMs: 0));
        Assert.Null(LogRetention.NewLogStartOffset(Segments, 0, 35, Retention(bytes: 400), nowMs: 0));
    }

    [Fact]
    public void NothingAtOrAboveTheHighWatermarkGoes()
    {
        Assert.Equal(10, LogRetention.NewLogStartOffset(Segments, 0, highWatermark: 15, Retention(ms: 1), nowMs: 1_000_000));
        Assert.Null(LogRetention.NewLogStartOffset(Segments, 0, highWatermark: 9, Retention(ms: 1), nowMs: 1_000_000));
    }

    [Fact]
    public void MinusOneKeepsForeverAndAStartAlreadyThereIsNoChange()
    {
        Assert.Null(LogRetention.NewLogStartOffset(Segments, 0, 35, Retention(), nowMs: long.MaxValue / 2));
        Assert.Null(LogRetention.NewLogStartOffset(Segments, 20, 35, Retention(ms: 1_000), nowMs: 3_500));
    }
}
