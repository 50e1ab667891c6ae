using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.NodeComposition;

public sealed class StepLogViewTests
{
    private static readonly TopicPartition Log = new("t", 0);

    private static byte[] Batch(long baseOffset, int records, int epoch = 0)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = epoch });
        for (int i = 0; i < records; i++) builder.Append(1000 + i, key: null, value: new byte[] { (byte)i });
        return builder.Build();
    }

    [Fact]
    public void WritesOfTheCurrentStepAreReadableBeforeTheShellCarriesThemOut()
    {
        var storage = new MemoryLogStorage();
        storage.Apply(new NodeEffect.AppendToLog(Log, 0, Batch(0, 2)));
        var view = new StepLogView(storage);
        view.Record(new NodeEffect.AppendToLog(Log, 2, Batch(2, 3)));
        Assert.Equal(5, view.Extent(Log).EndOffset);
        Assert.Equal(2, storage.Extent(Log).EndOffset);
        ReadOnlyMemory<byte> all = view.Read(Log, 0, 5, 1 << 20);
        var walker = new RecordBatchWalker(all);
        var bases = new List<long>();
        while (walker.TryNext(out RecordBatchView batch)) bases.Add(batch.Header.BaseOffset);
        Assert.Equal([0L, 2L], bases);
    }

    [Fact]
    public void TruncationInTheStepHidesStoredBatchesAndNewAppendsFollowIt()
    {
        var storage = new MemoryLogStorage();
        storage.Apply(new NodeEffect.AppendToLog(Log, 0, Batch(0, 2)));
        storage.Apply(new NodeEffect.AppendToLog(Log, 2, Batch(2, 2, epoch: 1)));
        var view = new StepLogView(storage);
        view.Record(new NodeEffect.TruncateLog(Log, 2));
        Assert.Equal(2, view.Extent(Log).EndOffset);
        view.Record(new NodeEffect.AppendToLog(Log, 2, Batch(2, 1, epoch: 2)));
        Assert.Equal(3, view.Extent(Log).EndOffset);
        Assert.Equal([new EpochStartOffset(0, 0), new EpochStartOffset(2, 2)], view.LeaderEpochs(Log));
    }

    [Fact]
    public void BeginStepDropsTheOverlayOnceTheShellHasCarriedItOut()
    {
        var storage = new MemoryLogStorage();
        var view = new StepLogView(storage);
        var append = new NodeEffect.AppendToLog(Log, 0, Batch(0, 1));
        view.Record(append);
        storage.Apply(append);
        view.BeginStep();
        Assert.Equal(1, view.Extent(Log).EndOffset);
        Assert.Equal(Batch(0, 1).Length, view.Read(Log, 0, 1, 100).Length);
    }

    [Fact]
    public void ADeletedLogIsGoneForTheRestOfTheStep()
    {
        var storage = new MemoryLogStorage();
        storage.Apply(new NodeEffect.AppendToLog(Log, 0, Batch(0, 1)));
        var view = new StepLogView(storage);
        view.Record(new NodeEffect.DeleteLog(Log));
        Assert.Equal(default, view.Extent(Log));
        Assert.DoesNotContain(Log, view.Logs);
        Assert.True(view.Read(Log, 0, 1, 100).IsEmpty);
    }
}
