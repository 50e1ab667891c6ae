using Reference.Core.Log;
using Reference.Protocol.Records;

namespace Reference.Core.Producers;

/// <summary>
/// Rebuilds a partition's producer state on start by scanning batch headers at the log's tail (Kafka
/// loads a snapshot and replays the segments after it; we keep no snapshots). The scan is bounded by
/// <see cref="ScanBytesMax"/> counted back from the log end: a producer whose last batch lies before
/// that is forgotten, and, as in Kafka after expiry, its next batch is taken at any sequence.
/// </summary>
public static class ProducerStateLoader
{
    /// <summary>How much of the log's tail is scanned per partition on start.</summary>
    public const long ScanBytesMax = 64L * 1024 * 1024;

    /// <summary>The bytes asked of storage per read while scanning.</summary>
    public const int ReadChunkBytes = 1024 * 1024;

    public static ProducerStateTable Load(ILogStorage storage, TopicPartition log, LogExtent extent)
    {
        var table = new ProducerStateTable();
        long fromOffset = ScanStartOffset(storage.Segments(log), extent, ScanBytesMax);
        long scannedBytes = 0;
        // Each read returns at least one batch or ends the scan, and the bytes bound ends it in any case.
        while (fromOffset < extent.EndOffset && scannedBytes <= ScanBytesMax + ReadChunkBytes)
        {
            ReadOnlyMemory<byte> chunk = storage.Read(log, fromOffset, extent.EndOffset, ReadChunkBytes);
            if (chunk.IsEmpty) break;
            var walker = new RecordBatchWalker(chunk);
            long before = fromOffset;
            while (walker.TryNext(out RecordBatchView batch))
            {
                RecordBatchHeader header = batch.Header;
                table.Record(header, header.BaseOffset, header.LastOffset, header.MaxTimestamp);
                fromOffset = header.NextOffset;
            }
            scannedBytes += walker.PositionBytes;
            if (fromOffset <= before || walker.Stop != RecordBatchError.None) break;
        }
        return table;
    }

    /// <summary>
    /// The offset <paramref name="scanBytesMax"/> bytes before the log end, found from the segments' sizes;
    /// inside a segment the offset is interpolated, since only whole batches can be read from an offset.
    /// </summary>
    public static long ScanStartOffset(IReadOnlyList<LogSegmentInfo> segments, LogExtent extent, long scanBytesMax)
    {
        long remainingBytes = scanBytesMax;
        for (int i = segments.Count - 1; i >= 0; i--)
        {
            LogSegmentInfo segment = segments[i];
            if (segment.SizeBytes <= remainingBytes)
            {
                remainingBytes -= segment.SizeBytes;
                continue;
            }
            long offsets = segment.EndOffset - segment.BaseOffset;
            long keptOffsets = (long)((Int128)offsets * remainingBytes / segment.SizeBytes);
            return Math.Max(extent.StartOffset, segment.EndOffset - keptOffsets);
        }
        return extent.StartOffset;
    }
}
