using Reference.Core.Log;
using Reference.Protocol.Records;

namespace Reference.Core.Metadata;

/// <summary>A committed record (or batch) that could not be applied, and why.</summary>
public readonly record struct MetadataLoadFault(long Offset, string Reason);

/// <summary>What one call to <see cref="MetadataLoader.LoadCommitted"/> did.</summary>
/// <param name="Previous">The image before the call.</param>
/// <param name="Current">The image after it; the same object when nothing new was committed.</param>
public sealed record MetadataLoadResult(MetadataImage Previous, MetadataImage Current, int BatchesRead, int RecordsApplied, int FaultsFound)
{
    public bool Changed => !ReferenceEquals(Previous, Current);
}

/// <summary>
/// Builds the metadata image from the committed part of <c>__cluster_metadata</c> (Kafka's
/// <c>MetadataLoader</c>): it reads whole batches below the high watermark through <see cref="ILogStorage"/>,
/// skips control batches (leader changes, voter sets), decodes each record's frame and applies it. Every node,
/// broker or controller, runs one; the active controller's own working state is separate
/// (the QuorumController's). Batches are read in order and each is applied whole or not
/// at all, so the image is always the state as of a batch boundary.
/// </summary>
public sealed class MetadataLoader
{
    /// <summary>Bytes asked of the storage per read; a larger batch still comes back whole (ILogStorage's rule).</summary>
    public const int ReadBytesMax = 1 << 20;

    /// <summary>How many recent faults are kept for inspection; the count covers all of them.</summary>
    public const int RecentFaultsMax = 16;

    private readonly ILogStorage _storage;
    private readonly Queue<MetadataLoadFault> _recentFaults = new();

    public MetadataLoader(ILogStorage storage)
    {
        _storage = storage;
        Image = MetadataImage.Empty;
    }

    /// <summary>The image as of the last committed batch applied.</summary>
    public MetadataImage Image { get; private set; }

    /// <summary>The offset of the last applied record or batch, -1 before any (what a broker reports as CurrentMetadataOffset).</summary>
    public long LastAppliedOffset => Image.Offset;

    /// <summary>Every replay or decode fault since start; a healthy cluster keeps this at zero.</summary>
    public long FaultCount { get; private set; }

    public IReadOnlyCollection<MetadataLoadFault> RecentFaults => _recentFaults;

    /// <summary>The leader epoch of the last batch applied (or of the snapshot loaded); -1 before any.</summary>
    public int LastAppliedEpoch { get; private set; } = -1;

    /// <summary>The append time of the last batch applied (a snapshot's header records it); -1 before any.</summary>
    public long LastAppliedTimestampMs { get; private set; } = -1;

    /// <summary>Bytes of committed batches applied since start; the node's snapshot policy counts them (KIP-630).</summary>
    public long AppliedBytes { get; private set; }

    /// <summary>
    /// Replaces the image with one loaded from a snapshot (KIP-630): what the snapshot covers is applied at once,
    /// and the log is read again only above it. A snapshot never takes the image back.
    /// </summary>
    public void LoadSnapshot(MetadataImage image, int snapshotEpoch)
    {
        if (image.Offset < Image.Offset)
            throw new ArgumentException($"a snapshot as of offset {image.Offset} would take the image back from {Image.Offset}", nameof(image));
        Image = image;
        LastAppliedEpoch = snapshotEpoch;
    }

    /// <summary>
    /// Applies every batch that ends below <paramref name="highWatermark"/> (exclusive, Kafka's sense) and has
    /// not been applied yet. The node calls this whenever the metadata log's high watermark moves.
    /// </summary>
    public MetadataLoadResult LoadCommitted(long highWatermark)
    {
        MetadataImage previous = Image;
        long next = previous.Offset + 1;
        if (highWatermark <= next) return new MetadataLoadResult(previous, previous, 0, 0, 0);
        var delta = new MetadataDelta(previous);
        var counts = new LoadCounts();
        // Each read returns at least one batch holding at least one offset, or ends the loop: at most
        // highWatermark - next reads.
        for (long readsLeft = highWatermark - next; next < highWatermark && readsLeft > 0; readsLeft--)
        {
            long before = next;
            next = LoadFrom(next, highWatermark, delta, ref counts);
            if (next == before) break;
        }
        Image = delta.Offset == previous.Offset ? previous : delta.Build();
        return new MetadataLoadResult(previous, Image, counts.Batches, counts.Records, counts.Faults);
    }

    private struct LoadCounts
    {
        public int Batches;
        public int Records;
        public int Faults;
    }

    /// <summary>One storage read's worth of batches; returns the next offset to read.</summary>
    private long LoadFrom(long next, long highWatermark, MetadataDelta delta, ref LoadCounts counts)
    {
        ReadOnlyMemory<byte> bytes = _storage.Read(TopicPartition.ClusterMetadata, next, highWatermark, ReadBytesMax);
        if (bytes.IsEmpty)
        {
            Fault(new MetadataLoadFault(next, $"the log holds nothing at {next}, below the high watermark {highWatermark}"), ref counts);
            return next;
        }
        var walker = new RecordBatchWalker(bytes);
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchHeader header = batch.Header;
            if (header.LastOffset < next) continue;
            if (header.LastOffset >= highWatermark) return next;
            if (header.BaseOffset < next)
            {
                Fault(new MetadataLoadFault(next, $"the batch at {header.BaseOffset} straddles offset {next}, where applying stopped"), ref counts);
                return next;
            }
            ApplyBatch(batch, delta, ref counts);
            next = header.NextOffset;
        }
        if (walker.Stop != RecordBatchError.None)
            Fault(new MetadataLoadFault(next, $"the metadata log is not framed at {next}: {walker.Stop}"), ref counts);
        return next;
    }

    private void ApplyBatch(in RecordBatchView batch, MetadataDelta delta, ref LoadCounts counts)
    {
        RecordBatchHeader header = batch.Header;
        counts.Batches++;
        LastAppliedEpoch = header.PartitionLeaderEpoch;
        LastAppliedTimestampMs = header.MaxTimestamp;
        AppliedBytes += batch.Memory.Length;
        if (!header.IsControl)
        {
            RecordBatchDecodeResult decoded = RecordBatchDecoder.Decode(batch);
            if (!decoded.IsOk) Fault(new MetadataLoadFault(header.BaseOffset, $"batch does not decode: {decoded.Error} {decoded.Detail}"), ref counts);
            foreach (Record record in decoded.Records) ApplyRecord(record, delta, ref counts);
        }
        delta.AdvanceTo(header.LastOffset);
    }

    private void ApplyRecord(Record record, MetadataDelta delta, ref LoadCounts counts)
    {
        if (record.Offset <= delta.Offset)
        {
            Fault(new MetadataLoadFault(record.Offset, $"record offset {record.Offset} repeats or goes back from {delta.Offset}"), ref counts);
            return;
        }
        MetadataFrameDecodeResult frame = MetadataRecordFrame.Decode(record.Value);
        if (!frame.IsOk)
        {
            Fault(new MetadataLoadFault(record.Offset, $"{frame.Error}: {frame.Detail}"), ref counts);
            delta.AdvanceTo(record.Offset);
            return;
        }
        string? fault = delta.Replay(frame.Record!, record.Offset);
        if (fault is null) counts.Records++;
        else Fault(new MetadataLoadFault(record.Offset, fault), ref counts);
    }

    private void Fault(MetadataLoadFault fault, ref LoadCounts counts)
    {
        counts.Faults++;
        FaultCount++;
        if (_recentFaults.Count == RecentFaultsMax) _recentFaults.Dequeue();
        _recentFaults.Enqueue(fault);
    }
}
