using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Reference.Broker.Network;

/// <summary>What reading one size-prefixed frame gave.</summary>
internal enum FrameReadStatus
{
    Frame,
    /// <summary>The peer closed the connection between frames.</summary>
    Closed,
    /// <summary>The size prefix is negative or above the bound; nothing after it was buffered.</summary>
    TooLarge,
    /// <summary>The peer closed the connection in the middle of a frame.</summary>
    Truncated,
}

/// <summary>
/// Reads Kafka's frames (int32 size, then that many bytes) from a pipe. The size is checked against the
/// bound before any of the frame is buffered, and the frame is copied into one array of exactly its size
/// as bytes arrive, so a client claiming 2 GB costs nothing and a real 100 MB request costs 100 MB once.
/// The array is fresh, not pooled: the core may keep the request (a produce waiting for acks) as long as
/// it needs.
/// </summary>
internal sealed class FrameReader(PipeReader reader, int frameBytesMax)
{
    private const int SizePrefixBytes = 4;

    public int LastClaimedSizeBytes { get; private set; }

    public async ValueTask<(FrameReadStatus Status, byte[]? Frame)> ReadAsync(CancellationToken cancellationToken)
    {
        int size = -1;
        while (size < 0)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= SizePrefixBytes)
            {
                size = ReadSize(buffer);
                LastClaimedSizeBytes = size;
                if (size < 0 || size > frameBytesMax)
                {
                    reader.AdvanceTo(buffer.Start);
                    return (FrameReadStatus.TooLarge, null);
                }
                reader.AdvanceTo(buffer.GetPosition(SizePrefixBytes));
                break;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return (buffer.IsEmpty ? FrameReadStatus.Closed : FrameReadStatus.Truncated, null);
        }
        return await ReadBodyAsync(size, cancellationToken);
    }

    private static int ReadSize(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[SizePrefixBytes];
        buffer.Slice(0, SizePrefixBytes).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    private async ValueTask<(FrameReadStatus, byte[]?)> ReadBodyAsync(int size, CancellationToken cancellationToken)
    {
        byte[] frame = GC.AllocateUninitializedArray<byte>(size);
        int filled = 0;
        while (filled < size)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> available = result.Buffer;
            long take = Math.Min(available.Length, size - filled);
            available.Slice(0, take).CopyTo(frame.AsSpan(filled));
            filled += (int)take;
            reader.AdvanceTo(available.GetPosition(take));
            if (filled < size && result.IsCompleted) return (FrameReadStatus.Truncated, null);
        }
        return (FrameReadStatus.Frame, frame);
    }
}
