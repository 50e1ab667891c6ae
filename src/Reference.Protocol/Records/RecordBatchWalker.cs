using System.Buffers.Binary;

namespace Reference.Protocol.Records;

/// <summary>
/// Walks a records blob (the bytes of one partition in a Produce request, a Fetch response or a log
/// segment) batch by batch, handing out slices of the blob. It frames batches only: every batch it hands
/// out has all its declared bytes and magic 2; CRC and counts are <see cref="RecordBatchValidator"/>'s.
/// </summary>
/// <remarks>
/// A Fetch response may legally end in a partial batch, cut at the fetch's byte limit; consumers skip
/// it (Kafka's <c>ByteBufferLogInputStream</c>). So running out of bytes mid-batch ends the walk with
/// <see cref="RecordBatchError.Truncated"/> and leaves the decision to the caller: a consumer ignores it,
/// the produce path refuses it. Each step consumes at least a header (61 bytes), so a walk ends within
/// blob length / 61 steps.
/// </remarks>
public struct RecordBatchWalker(ReadOnlyMemory<byte> records)
{
    private readonly ReadOnlyMemory<byte> _records = records;
    private int _position;
    private RecordBatchError _stop;

    /// <summary>Where the next batch would start; after a failed step, where the offending batch starts.</summary>
    public readonly int PositionBytes => _position;

    /// <summary>Why the walk stopped: None while walking and after a clean end, otherwise the framing fault.</summary>
    public readonly RecordBatchError Stop => _stop;

    /// <summary>True at a clean end: every byte belonged to a framed batch.</summary>
    public readonly bool IsComplete => _stop == RecordBatchError.None && _position == _records.Length;

    /// <summary>The next framed batch; false at the end of the blob or at the first framing fault.</summary>
    public bool TryNext(out RecordBatchView batch)
    {
        batch = default;
        if (_stop != RecordBatchError.None || _position == _records.Length) return false;
        ReadOnlySpan<byte> rest = _records.Span[_position..];
        _stop = CheckFraming(rest);
        if (_stop != RecordBatchError.None) return false;
        int sizeBytes = SizeOf(rest);
        batch = new RecordBatchView(RecordBatchHeader.Read(rest), _records.Slice(_position, sizeBytes), _position);
        _position += sizeBytes;
        return true;
    }

    private static RecordBatchError CheckFraming(ReadOnlySpan<byte> rest)
    {
        if (rest.Length < RecordBatchLayout.LogOverheadBytes) return RecordBatchError.Truncated;
        int batchLength = BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchLayout.BatchLengthAt..]);
        if (batchLength < RecordBatchLayout.BatchLengthMin) return RecordBatchError.BatchLengthTooSmall;
        if (batchLength > rest.Length - RecordBatchLayout.LogOverheadBytes) return RecordBatchError.Truncated;
        return rest[RecordBatchLayout.MagicAt] == RecordBatchLayout.CurrentMagic
            ? RecordBatchError.None
            : RecordBatchError.UnsupportedMagic;
    }

    private static int SizeOf(ReadOnlySpan<byte> framed) =>
        BinaryPrimitives.ReadInt32BigEndian(framed[RecordBatchLayout.BatchLengthAt..]) + RecordBatchLayout.LogOverheadBytes;
}
