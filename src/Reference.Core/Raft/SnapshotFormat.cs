using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Raft;

/// <summary>
/// The layout of a KRaft snapshot (KIP-630; Kafka's <c>RecordsSnapshotWriter</c> and <c>RecordsSnapshotReader</c>):
/// record batches, numbered from offset 0, each stamped with the snapshot's epoch; the first is a control batch
/// holding one SnapshotHeader record, the last a control batch holding one SnapshotFooter record, and the data
/// batches between hold the state machine's records. Every batch carries its CRC-32C, so a rotted byte anywhere
/// is found before the snapshot is served or loaded.
/// </summary>
public static class SnapshotFormat
{
    /// <summary>SnapshotHeaderRecord and SnapshotFooterRecord version 0, the only one Kafka defines.</summary>
    public const short ControlRecordVersion = 0;

    /// <summary>Records per data batch the writer puts together (bounds each batch well under <see cref="RaftLimits.BatchSizeBytesMax"/> for metadata records).</summary>
    public const int RecordsPerBatchMax = 512;

    /// <summary>The largest snapshot a replica writes, fetches or loads; a larger one is refused rather than held in memory.</summary>
    public const int SnapshotBytesMax = 256 * 1024 * 1024;

    /// <summary>
    /// Builds a snapshot: header, the record values in batches of at most <see cref="RecordsPerBatchMax"/>, footer.
    /// <paramref name="lastContainedTimestampMs"/> is the append time of the last batch the snapshot covers.
    /// </summary>
    public static byte[] Build(OffsetAndEpoch snapshotId, long lastContainedTimestampMs, IReadOnlyList<ReadOnlyMemory<byte>> recordValues)
    {
        if (snapshotId.Offset <= 0 || snapshotId.Epoch < 0) throw new ArgumentOutOfRangeException(nameof(snapshotId), snapshotId, "a snapshot covers at least one offset of some epoch");
        var batches = new List<byte[]>();
        long offset = 0;
        byte[] header = MessageBytes.Encode(new SnapshotHeaderRecord { Version = ControlRecordVersion, LastContainedLogTimestamp = lastContainedTimestampMs }, 0);
        batches.Add(ControlBatch(offset++, snapshotId.Epoch, lastContainedTimestampMs, ControlRecordType.SnapshotHeader, header));
        for (int first = 0; first < recordValues.Count; first += RecordsPerBatchMax)
        {
            var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = offset, PartitionLeaderEpoch = snapshotId.Epoch });
            int count = Math.Min(RecordsPerBatchMax, recordValues.Count - first);
            for (int i = 0; i < count; i++) builder.Append(lastContainedTimestampMs, key: null, recordValues[first + i]);
            batches.Add(builder.Build());
            offset += count;
        }
        byte[] footer = MessageBytes.Encode(new SnapshotFooterRecord { Version = ControlRecordVersion }, 0);
        batches.Add(ControlBatch(offset, snapshotId.Epoch, lastContainedTimestampMs, ControlRecordType.SnapshotFooter, footer));
        byte[] snapshot = new byte[batches.Sum(b => b.Length)];
        int position = 0;
        foreach (byte[] batch in batches)
        {
            batch.CopyTo(snapshot, position);
            position += batch.Length;
        }
        if (snapshot.Length > SnapshotBytesMax) throw new InvalidOperationException($"a snapshot of {snapshot.Length} bytes is past the {SnapshotBytesMax}-byte bound");
        return snapshot;
    }

    private static byte[] ControlBatch(long offset, int epoch, long timestampMs, ControlRecordType type, byte[] value) =>
        new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = offset, PartitionLeaderEpoch = epoch, IsControl = true })
            .AppendControl(timestampMs, type, value)
            .Build();

    /// <summary>
    /// Reads a whole snapshot: every batch intact (framing and CRC-32C), offsets dense from 0, a SnapshotHeader
    /// first, a SnapshotFooter last and nothing after it. Returns the data records' values in order, or the
    /// reason the snapshot is not valid.
    /// </summary>
    public static SnapshotReadResult Read(ReadOnlyMemory<byte> snapshot)
    {
        if (snapshot.Length > SnapshotBytesMax) return SnapshotReadResult.Invalid($"{snapshot.Length} bytes is past the {SnapshotBytesMax}-byte bound");
        var walker = new RecordBatchWalker(snapshot);
        RecordBatchRules rules = RecordBatchRules.ForStored(RaftLimits.BatchSizeBytesMax);
        var values = new List<ReadOnlyMemory<byte>>();
        long nextOffset = 0;
        bool sawHeader = false;
        bool sawFooter = false;
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchHeader header = batch.Header;
            if (sawFooter) return SnapshotReadResult.Invalid($"a batch at {header.BaseOffset} follows the footer");
            if (RecordBatchValidator.ValidateBatch(batch, rules) is var error && error != RecordBatchError.None)
                return SnapshotReadResult.Invalid($"the batch at {header.BaseOffset} is not intact: {error}");
            if (header.BaseOffset != nextOffset) return SnapshotReadResult.Invalid($"a batch starts at {header.BaseOffset}, not {nextOffset}");
            RecordBatchDecodeResult decoded = RecordBatchDecoder.Decode(batch);
            if (!decoded.IsOk) return SnapshotReadResult.Invalid($"the batch at {header.BaseOffset} does not decode: {decoded.Error}");
            if (header.IsControl)
            {
                ControlRecordType? type = ControlTypeOf(decoded.Records);
                if (!sawHeader && type == ControlRecordType.SnapshotHeader) sawHeader = true;
                else if (sawHeader && type == ControlRecordType.SnapshotFooter) sawFooter = true;
                else return SnapshotReadResult.Invalid($"unexpected control batch ({type?.ToString() ?? "unreadable"}) at {header.BaseOffset}");
            }
            else if (!sawHeader) return SnapshotReadResult.Invalid("the first batch is not a SnapshotHeader");
            else foreach (Record record in decoded.Records) values.Add(record.Value ?? ReadOnlyMemory<byte>.Empty);
            nextOffset = header.NextOffset;
        }
        if (!walker.IsComplete) return SnapshotReadResult.Invalid($"the snapshot does not frame at byte {walker.PositionBytes}: {walker.Stop}");
        if (!sawHeader || !sawFooter) return SnapshotReadResult.Invalid(sawHeader ? "no SnapshotFooter at the end" : "no SnapshotHeader");
        return new SnapshotReadResult(null, values);
    }

    private static ControlRecordType? ControlTypeOf(IReadOnlyList<Record> records) =>
        records is [{ Key: { } key }] && ControlRecordKey.TryDecode(key.Span, out ControlRecordKey decoded) ? decoded.Type : null;
}

/// <summary>A snapshot read back: its data records' values, or why it is not a valid snapshot.</summary>
public sealed record SnapshotReadResult(string? Error, IReadOnlyList<ReadOnlyMemory<byte>> RecordValues)
{
    public bool IsValid => Error is null;

    public static SnapshotReadResult Invalid(string error) => new(error, []);
}
