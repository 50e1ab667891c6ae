using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Producers;
using Reference.Core.Tests.Log;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Producers;

public sealed class ProducerStateLoaderTests
{
    private static readonly TopicPartition Name = new("t", 0);

    [Fact]
    public void TheProducerStateIsRebuiltFromTheBatchHeadersAtTheTail()
    {
        var storage = new MemoryLogStorage();
        long offset = 0;
        for (int sequence = 0; sequence < 8; sequence += 2)
        {
            byte[] batch = TestBatches.Idempotent(producerId: 9, epoch: 1, baseSequence: sequence, count: 2);
            RecordBatchPatch.AssignOffsets(batch, offset, partitionLeaderEpoch: 0);
            storage.Apply(new NodeEffect.AppendToLog(Name, offset, batch));
            offset += 2;
        }
        ProducerStateTable table = ProducerStateLoader.Load(storage, Name, storage.Extent(Name));
        ProducerStateEntry entry = table.Entry(9)!;
        Assert.Equal((7, (short)1, 7L), (entry.LastSequence, entry.ProducerEpoch, entry.LastOffset));
        Assert.Equal(new BatchMetadata(2, 3, 2, 3, 1_001), entry.Batches[1]);
    }

    [Fact]
    public void TheScanStartsTheBoundedNumberOfBytesBeforeTheEnd()
    {
        LogSegmentInfo[] segments = [new(0, 100, 1_000, 0, 0), new(100, 300, 1_000, 0, 0)];
        var extent = new LogExtent(0, 300, 300);
        Assert.Equal(0, ProducerStateLoader.ScanStartOffset(segments, extent, scanBytesMax: 5_000));
        Assert.Equal(100, ProducerStateLoader.ScanStartOffset(segments, extent, scanBytesMax: 1_000));
        // Half of the last segment's bytes: half of its offsets, counted back from its end.
        Assert.Equal(200, ProducerStateLoader.ScanStartOffset(segments, extent, scanBytesMax: 500));
        Assert.Equal(50, ProducerStateLoader.ScanStartOffset(segments, extent, scanBytesMax: 1_500));
    }
}
