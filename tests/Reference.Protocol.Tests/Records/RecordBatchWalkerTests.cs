using System.Runtime.InteropServices;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;
using static Reference.Protocol.Tests.Records.RecordBatchSamples;

namespace Reference.Protocol.Tests.Records;

public sealed class RecordBatchWalkerTests
{
    [Fact]
    public void BatchesAreSlicesOfTheBlobNotCopies()
    {
        byte[] first = Simple(2), second = Simple(3, CompressionType.Gzip);
        byte[] blob = Blob(first, second);
        var walker = new RecordBatchWalker(blob);

        Assert.True(walker.TryNext(out RecordBatchView a));
        Assert.True(walker.TryNext(out RecordBatchView b));
        Assert.False(walker.TryNext(out _));
        Assert.True(walker.IsComplete);

        Assert.True(MemoryMarshal.TryGetArray(b.Memory, out ArraySegment<byte> segment));
        Assert.Same(blob, segment.Array);
        Assert.Equal(first.Length, segment.Offset);
        Assert.Equal((0, first.Length), (a.PositionBytes, a.Memory.Length));
        Assert.Equal((first.Length, second.Length), (b.PositionBytes, b.Memory.Length));
        Assert.Equal(CompressionType.Gzip, b.Header.Compression);
        Assert.Equal(second.Length - 61, b.Records.Length);
    }

    [Fact]
    public void PartialTrailingBatchEndsTheWalkAsTruncatedAfterTheWholeOnes()
    {
        // A Fetch response cut at its byte limit: consumers keep the whole batches and skip the rest.
        byte[] first = Simple(2);
        byte[] blob = Blob(first, Simple(3)[..40]);
        var walker = new RecordBatchWalker(blob);

        Assert.True(walker.TryNext(out _));
        Assert.False(walker.TryNext(out _));
        Assert.Equal(RecordBatchError.Truncated, walker.Stop);
        Assert.Equal(first.Length, walker.PositionBytes);
        Assert.False(walker.IsComplete);
        Assert.False(walker.TryNext(out _)); // stays stopped
    }

    [Fact]
    public void EmptyBlobIsCompleteAtOnce()
    {
        var walker = new RecordBatchWalker(ReadOnlyMemory<byte>.Empty);
        Assert.False(walker.TryNext(out _));
        Assert.True(walker.IsComplete);
        Assert.Equal(RecordBatchError.None, walker.Stop);
    }
}
