using Reference.Core.Node;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Storage;

public sealed class MemoryLogStorageTests
{
    private static readonly TopicPartition Log = new("t", 0);

    private static byte[] Batch(long baseOffset, int records, int epoch = 0, long timestampMs = 1000)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = epoch });
        for (int i = 0; i < records; i++) builder.Append(timestampMs + i, key: null, value: new byte[] { (byte)i });
        return builder.Build();
    }

    [Fact]
    public void AppendsAreReadableAndDurableOnlyAfterFlush()
    {
        var storage = new MemoryLogStorage();
        Assert.True(storage.Apply(new NodeEffect.AppendToLog(Log, 0, Batch(0, 3))));
        Assert.Equal(new Core.Log.LogExtent(0, 3, 0), storage.Extent(Log));
        Assert.Equal(3, storage.Flush(Log));
        Assert.False(storage.Apply(new NodeEffect.AppendToLog(Log, 5, Batch(5, 1))), "a gap must be refused");
        Assert.False(storage.Read(Log, 0, 3, 1).IsEmpty);
    }

    [Fact]
    public void CrashKeepsOnlyTheDurablePrefix()
    {
        var storage = new MemoryLogStorage();
        storage.Apply(new NodeEffect.AppendToLog(Log, 0, Batch(0, 2)));
        storage.Flush(Log);
        storage.Apply(new NodeEffect.AppendToLog(Log, 2, Batch(2, 2)));
        storage.Crash();
        Assert.Equal(2, storage.Extent(Log).EndOffset);
    }

    [Fact]
    public void TruncationRemovesWholeBatches()
    {
        var storage = new MemoryLogStorage();
        storage.Apply(new NodeEffect.AppendToLog(Log, 0, Batch(0, 2)));
        storage.Apply(new NodeEffect.AppendToLog(Log, 2, Batch(2, 3, epoch: 1)));
        storage.Apply(new NodeEffect.TruncateLog(Log, 3));
        Assert.Equal(2, storage.Extent(Log).EndOffset);
        Assert.Equal([new Core.Log.EpochStartOffset(0, 0)], storage.LeaderEpochs(Log));
    }

    [Fact]
    public void ReadStopsAtTheBoundAndAlwaysReturnsOneBatch()
    {
        var storage = new MemoryLogStorage();
        byte[] first = Batch(0, 2);
        storage.Apply(new NodeEffect.AppendToLog(Log, 0, first));
        storage.Apply(new NodeEffect.AppendToLog(Log, 2, Batch(2, 2)));
        Assert.Equal(first.Length, storage.Read(Log, 1, 4, maxBytes: 1).Length);
        Assert.Equal(first.Length, storage.Read(Log, 0, endOffsetExclusive: 2, maxBytes: 1 << 20).Length);
        Assert.True(storage.Read(Log, 4, 10, 100).IsEmpty);
    }
}
