namespace Reference.Core.Log;

/// <summary>
/// Which whole segments retention deletes (Kafka's <c>UnifiedLog.deleteOldSegments</c>), as a pure
/// decision over <see cref="ILogStorage.Segments"/>: first by time (the segment's newest timestamp older
/// than retention.ms), then by size (oldest first while the log is larger than retention.bytes). Two
/// rules of ours bound it: the active (last) segment is never deleted, and no segment is deleted unless
/// it lies wholly below the high watermark, so the log start can never pass the HW. Compaction
/// (cleanup.policy=compact) is not done here.
/// </summary>
public static class LogRetention
{
    /// <returns>The new log start offset (the base offset of the first segment kept), or null when nothing is due.</returns>
    public static long? NewLogStartOffset(IReadOnlyList<LogSegmentInfo> segments, long logStartOffset, long highWatermark,
        TopicLogConfig config, long nowMs)
    {
        int deletable = CountBreachingTime(segments, highWatermark, config.RetentionMs, nowMs);
        deletable += CountBreachingSize(segments, deletable, highWatermark, config.RetentionBytes);
        if (deletable == 0) return null;
        long newStart = segments[deletable].BaseOffset; // deletable < Count: the last segment always stays
        Invariant.Require(newStart <= highWatermark);
        return newStart > logStartOffset ? newStart : null;
    }

    private static int CountBreachingTime(IReadOnlyList<LogSegmentInfo> segments, long highWatermark, long retentionMs, long nowMs)
    {
        if (retentionMs < 0) return 0;
        int count = 0;
        while (IsClosedBelow(segments, count, highWatermark) && nowMs - segments[count].MaxTimestampMs > retentionMs) count++;
        return count;
    }

    private static int CountBreachingSize(IReadOnlyList<LogSegmentInfo> segments, int alreadyDeleted, long highWatermark, long retentionBytes)
    {
        if (retentionBytes < 0) return 0;
        long sizeBytes = 0;
        for (int i = alreadyDeleted; i < segments.Count; i++) sizeBytes += segments[i].SizeBytes;
        long excessBytes = sizeBytes - retentionBytes;
        int count = 0;
        while (IsClosedBelow(segments, alreadyDeleted + count, highWatermark) && excessBytes - segments[alreadyDeleted + count].SizeBytes >= 0)
        {
            excessBytes -= segments[alreadyDeleted + count].SizeBytes;
            count++;
        }
        return count;
    }

    /// <summary>Segment <paramref name="index"/> is not the active one and ends at or below the HW.</summary>
    private static bool IsClosedBelow(IReadOnlyList<LogSegmentInfo> segments, int index, long highWatermark) =>
        index + 1 < segments.Count && segments[index + 1].BaseOffset <= highWatermark;
}
