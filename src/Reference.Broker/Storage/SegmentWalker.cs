using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Reference.Protocol.Records;

namespace Reference.Broker.Storage;

/// <summary>Where a walk over a segment file stopped and why.</summary>
/// <param name="PositionBytes">The end of the last batch visited (or the start of the one that was refused).</param>
/// <param name="Fault">None when the walk reached its end or the visitor stopped it; otherwise why the bytes at
/// <paramref name="PositionBytes"/> are not a batch (Truncated for a torn tail).</param>
internal readonly record struct SegmentWalkEnd(long PositionBytes, RecordBatchError Fault);

/// <summary>
/// Reads a segment file batch by batch, through one pooled buffer of <see cref="ChunkBytes"/> that grows
/// only for a batch larger than it (bounded by the file's own size). Each batch handed to the visitor is
/// framed (all its bytes, magic 2) and, when asked, checked with <see cref="RecordBatchValidator"/>: the
/// recovery scan after an unclean stop uses this to find the first torn or corrupt batch.
/// </summary>
internal static class SegmentWalker
{
    public const int ChunkBytes = 64 * 1024;

    /// <summary>Called for each batch; return false to stop the walk there (before this batch counts as passed).</summary>
    public delegate bool BatchVisitor(long positionBytes, in RecordBatchView batch);

    public static SegmentWalkEnd Walk(SafeFileHandle file, long fromPositionBytes, long toPositionBytes, bool verifyChecksums, BatchVisitor visitor)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long position = fromPositionBytes;
            while (position < toPositionBytes)
            {
                int requestedBytes = (int)Math.Min(buffer.Length, toPositionBytes - position);
                int readBytes = ReadFully(file, buffer.AsSpan(0, requestedBytes), position);
                var walker = new RecordBatchWalker(buffer.AsMemory(0, readBytes));
                while (walker.TryNext(out RecordBatchView batch))
                {
                    long batchPosition = position + batch.PositionBytes;
                    if (verifyChecksums)
                    {
                        RecordBatchError error = RecordBatchValidator.ValidateBatch(batch, RecordBatchRules.ForStored(int.MaxValue));
                        if (error != RecordBatchError.None) return new SegmentWalkEnd(batchPosition, error);
                    }
                    if (!visitor(batchPosition, batch)) return new SegmentWalkEnd(batchPosition, RecordBatchError.None);
                }
                long stoppedAt = position + walker.PositionBytes;
                bool chunkEndsAtLimit = readBytes < requestedBytes || position + readBytes >= toPositionBytes;
                if (walker.Stop == RecordBatchError.None) position = stoppedAt;
                else if (walker.Stop != RecordBatchError.Truncated || chunkEndsAtLimit) return new SegmentWalkEnd(stoppedAt, walker.Stop);
                else if (walker.PositionBytes > 0) position = stoppedAt; // the chunk cut a batch: read on from its start
                else buffer = Grow(buffer, BatchSizeAt(buffer.AsSpan(0, readBytes)), toPositionBytes - position);
                if (buffer.Length == 0) return new SegmentWalkEnd(stoppedAt, RecordBatchError.Truncated);
            }
            return new SegmentWalkEnd(position, RecordBatchError.None);
        }
        finally
        {
            if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until <paramref name="destination"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle file, Span<byte> destination, long position)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(file, destination[total..], position + total);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    /// <summary>The size a batch declares, from its first 12 bytes (0 when fewer are there).</summary>
    private static long BatchSizeAt(ReadOnlySpan<byte> bytes) =>
        bytes.Length < RecordBatchLayout.LogOverheadBytes
            ? 0
            : (long)BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BatchLengthAt..]) + RecordBatchLayout.LogOverheadBytes;

    /// <summary>A buffer that holds a batch of <paramref name="batchSizeBytes"/>, or an empty one when the file cannot hold it.</summary>
    private static byte[] Grow(byte[] buffer, long batchSizeBytes, long remainingBytes)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        if (batchSizeBytes <= 0 || batchSizeBytes > remainingBytes || batchSizeBytes > int.MaxValue) return [];
        return ArrayPool<byte>.Shared.Rent((int)batchSizeBytes);
    }
}
