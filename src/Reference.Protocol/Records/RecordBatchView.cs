namespace Reference.Protocol.Records;

/// <summary>
/// One framed batch inside a records blob: its parsed header and a slice of the blob's own memory,
/// never a copy. Only <see cref="RecordBatchWalker"/> makes these, so every view has all the bytes its
/// BatchLength declares and magic 2; it says nothing of the CRC, which is the validator's to check.
/// </summary>
public readonly struct RecordBatchView
{
    internal RecordBatchView(RecordBatchHeader header, ReadOnlyMemory<byte> memory, int positionBytes)
    {
        Header = header;
        Memory = memory;
        PositionBytes = positionBytes;
    }

    public RecordBatchHeader Header { get; }

    /// <summary>The whole batch, BaseOffset through its last record.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>Where the batch starts in the blob it was walked from.</summary>
    public int PositionBytes { get; }

    /// <summary>The records section after the header: compressed bytes when the batch is compressed.</summary>
    public ReadOnlyMemory<byte> Records => Memory[RecordBatchLayout.RecordsAt..];
}
