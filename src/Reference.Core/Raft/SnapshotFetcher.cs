namespace Reference.Core.Raft;

/// <summary>
/// A snapshot a follower is downloading from the leader with FetchSnapshot (KIP-630): the chunks received so
/// far, in order, and the size the leader gave. Kafka writes the chunks to a <c>.part</c> file as they come;
/// here they gather in memory (at most <see cref="SnapshotFormat.SnapshotBytesMax"/>) and the whole snapshot is
/// written once, when complete, with <see cref="Node.NodeEffect.WriteSnapshot"/>.
/// </summary>
public sealed class SnapshotFetcher(OffsetAndEpoch snapshotId)
{
    private byte[] _bytes = [];
    private int _received;

    public OffsetAndEpoch SnapshotId { get; } = snapshotId;

    /// <summary>Where the next chunk starts: the bytes received so far.</summary>
    public long Position => _received;

    /// <summary>The snapshot's size as the leader said, once it said so.</summary>
    public long? SizeBytes { get; private set; }

    public bool IsComplete => SizeBytes is long size && _received == size;

    /// <summary>The whole snapshot was written and waits for a flush to make it durable before it is installed.</summary>
    public bool IsAwaitingFlush { get; set; }

    /// <summary>The snapshot's bytes; only once complete.</summary>
    public ReadOnlyMemory<byte> Bytes => IsComplete ? _bytes.AsMemory(0, _received) : throw new InvalidOperationException("the snapshot is not complete");

    /// <summary>
    /// Takes the next chunk. Returns null, or why the chunk does not fit (Kafka fails the download then, and the
    /// follower starts over from a Fetch): a size that changed or is out of bounds, a chunk not at the position
    /// asked for, or one that runs past the size.
    /// </summary>
    public string? Append(long sizeBytes, long position, ReadOnlySpan<byte> chunk)
    {
        if (sizeBytes <= 0 || sizeBytes > SnapshotFormat.SnapshotBytesMax) return $"the leader gives a snapshot size of {sizeBytes} bytes";
        if (SizeBytes is long known && known != sizeBytes) return $"the snapshot's size changed from {known} to {sizeBytes}";
        if (position != _received) return $"a chunk at {position}, but {_received} bytes were received";
        if (position + chunk.Length > sizeBytes) return $"a chunk of {chunk.Length} bytes at {position} runs past the size {sizeBytes}";
        if (chunk.Length == 0 && position < sizeBytes) return $"an empty chunk at {position} of {sizeBytes}";
        SizeBytes = sizeBytes;
        if (_bytes.Length < sizeBytes) Array.Resize(ref _bytes, (int)sizeBytes);
        chunk.CopyTo(_bytes.AsSpan(_received));
        _received += chunk.Length;
        return null;
    }
}
