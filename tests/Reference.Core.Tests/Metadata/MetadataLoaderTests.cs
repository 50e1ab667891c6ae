using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Storage;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

public sealed class MetadataLoaderTests
{
    private static readonly TopicPartition Log = TopicPartition.ClusterMetadata;

    private static MemoryLogStorage LogWith(params (long BaseOffset, byte[] Batch)[] batches)
    {
        var storage = new MemoryLogStorage();
        foreach (var (baseOffset, batch) in batches) Assert.True(storage.Apply(new NodeEffect.AppendToLog(Log, baseOffset, batch)));
        return storage;
    }

    [Fact]
    public void CommittedBatchesAreAppliedAndControlBatchesSkipped()
    {
        MemoryLogStorage storage = LogWith(
            (0, ControlBatch(0)),
            (1, Batch(1, V(new FeatureLevelRecord { Name = MetadataVersion.FeatureName, FeatureLevel = 21 }))),
            (2, Batch(2, V(Topic("t", Id(1))), V(Partition(Id(1), 0, 1), 1))));
        var loader = new MetadataLoader(storage);

        MetadataLoadResult result = loader.LoadCommitted(highWatermark: 4);

        Assert.True(result.Changed);
        Assert.Equal(3, result.BatchesRead);
        Assert.Equal(3, result.RecordsApplied);
        Assert.Equal(0, result.FaultsFound);
        Assert.Equal(3, loader.LastAppliedOffset);
        Assert.Equal((short)21, loader.Image.MetadataVersionLevel);
        Assert.Equal(1, loader.Image.Topic("t")!.Partitions[0].Leader);
    }

    [Fact]
    public void ABatchIsAppliedOnlyOnceTheHighWatermarkPassesAllOfIt()
    {
        MemoryLogStorage storage = LogWith(
            (0, Batch(0, V(Topic("a", Id(1))))),
            (1, Batch(1, V(Topic("b", Id(2))), V(Topic("c", Id(3))))));
        var loader = new MetadataLoader(storage);

        loader.LoadCommitted(highWatermark: 2);
        Assert.Equal(0, loader.LastAppliedOffset);
        Assert.Null(loader.Image.Topic("b"));

        MetadataImage before = loader.Image;
        MetadataLoadResult again = loader.LoadCommitted(highWatermark: 2);
        Assert.False(again.Changed);
        Assert.Same(before, loader.Image);

        loader.LoadCommitted(highWatermark: 3);
        Assert.Equal(2, loader.LastAppliedOffset);
        Assert.NotNull(loader.Image.Topic("c"));
    }

    [Fact]
    public void AnUndecodableRecordIsAFaultAndTheRestOfTheBatchStillApplies()
    {
        var builder = new Protocol.Records.RecordBatchBuilder(new Protocol.Records.RecordBatchOptions { BaseOffset = 0 });
        builder.Append(0, key: null, value: new byte[] { 9, 9, 9 });
        builder.Append(0, key: null, value: MetadataRecordFrame.Encode(V(Topic("t", Id(1)))));
        var loader = new MetadataLoader(LogWith((0, builder.Build())));

        MetadataLoadResult result = loader.LoadCommitted(highWatermark: 2);

        Assert.Equal(1, result.FaultsFound);
        Assert.Equal(1, loader.FaultCount);
        Assert.Equal(0, Assert.Single(loader.RecentFaults).Offset);
        Assert.NotNull(loader.Image.Topic("t"));
        Assert.Equal(1, loader.LastAppliedOffset);
    }

    [Fact]
    public void LoadingInManySmallStepsEqualsLoadingOnce()
    {
        var batches = new List<(long, byte[])>();
        for (int i = 0; i < 20; i++) batches.Add((i, Batch(i, V(Topic($"t{i}", Id(i))))));
        MemoryLogStorage storage = LogWith([.. batches]);

        var once = new MetadataLoader(storage);
        once.LoadCommitted(20);
        var stepwise = new MetadataLoader(storage);
        for (long hw = 0; hw <= 20; hw += 3) stepwise.LoadCommitted(hw);
        stepwise.LoadCommitted(20);

        Assert.Equal(MetadataImageText.Render(once.Image, includeOffset: true), MetadataImageText.Render(stepwise.Image, includeOffset: true));
    }

    [Fact]
    public void AHighWatermarkBeyondTheLogIsAFaultNotAHang()
    {
        var loader = new MetadataLoader(LogWith((0, Batch(0, V(new NoOpRecord())))));

        MetadataLoadResult result = loader.LoadCommitted(highWatermark: 5);

        Assert.Equal(0, loader.LastAppliedOffset);
        Assert.Equal(1, result.FaultsFound);
    }
}
