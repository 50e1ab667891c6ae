using System.Text.RegularExpressions;
using Reference.Core.Metadata;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

/// <summary>KIP-630's metadata snapshot: the records an image is written as, and the image they load back into.</summary>
public sealed partial class MetadataSnapshotTests
{
    /// <summary>An image with every kind of fact: features, brokers in each state, topics, changed partitions, configs, producer ids.</summary>
    private static MetadataImage RichImage() => MetadataImage.Empty.Apply(
    [
        V(new FeatureLevelRecord { Name = "zeta.feature", FeatureLevel = 2 }),
        V(new FeatureLevelRecord { Name = MetadataVersion.FeatureName, FeatureLevel = 21 }),
        V(Register(1, 10, fenced: false), 3),
        V(Register(2, 11), 3),
        V(new BrokerRegistrationChangeRecord { BrokerId = 2, BrokerEpoch = 11, Fenced = -1, InControlledShutdown = 1 }, 1),
        V(Topic("orders", Id(1))),
        V(Partition(Id(1), 0, 1, 2), 1),
        V(Partition(Id(1), 1, 2, 1), 1),
        V(Change(Id(1), 1, leader: 1, isr: [1]), 1),
        V(Topic("audit", Id(2))),
        V(Partition(Id(2), 0, 1), 1),
        V(TopicConfig("orders", "retention.ms", "1000")),
        V(TopicConfig("orders", "cleanup.policy", "compact")),
        V(new ProducerIdsRecord { BrokerId = 1, BrokerEpoch = 10, NextProducerId = 2000 }),
    ], firstOffset: 0);

    [GeneratedRegex("registeredAt=[0-9]+")]
    private static partial Regex RegistrationOffset();

    [Fact]
    public void ImageLoadsBackFromItsSnapshotWithEveryFact()
    {
        MetadataImage image = RichImage().WithOffset(40);
        var id = new OffsetAndEpoch(41, 3);

        MetadataSnapshotLoad load = MetadataSnapshot.Read(MetadataSnapshot.Write(image, id, lastContainedTimestampMs: 5), id);

        Assert.True(load.IsValid, load.Error);
        Assert.Equal(40, load.Image!.Offset);
        // A snapshot's brokers count as registered at its last contained offset, as Kafka's controller replays them.
        string expected = RegistrationOffset().Replace(MetadataImageText.Render(image), "registeredAt=40");
        Assert.Equal(expected, MetadataImageText.Render(load.Image));
        Assert.Equal(2000, load.Image.NextProducerId);
        Assert.True(load.Image.Broker(2)!.InControlledShutdown);
    }

    [Fact]
    public void MetadataVersionIsTheSnapshotsFirstRecord()
    {
        IReadOnlyList<VersionedRecord> records = MetadataSnapshot.RecordsOf(RichImage());

        var first = Assert.IsType<FeatureLevelRecord>(records[0].Record);
        Assert.Equal(MetadataVersion.FeatureName, first.Name);
    }

    [Fact]
    public void EqualImagesMakeByteEqualSnapshots()
    {
        var id = new OffsetAndEpoch(41, 3);
        Assert.Equal(MetadataSnapshot.Write(RichImage().WithOffset(40), id, 5), MetadataSnapshot.Write(RichImage().WithOffset(40), id, 5));
    }

    [Fact]
    public void SnapshotIdMustEndWhereTheImageDoes()
    {
        Assert.Throws<ArgumentException>(() => MetadataSnapshot.Write(RichImage().WithOffset(40), new OffsetAndEpoch(40, 3), 5));
    }

    [Fact]
    public void CorruptSnapshotIsNotLoaded()
    {
        var id = new OffsetAndEpoch(41, 3);
        byte[] snapshot = MetadataSnapshot.Write(RichImage().WithOffset(40), id, 5);
        snapshot[^30] ^= 0x04;

        MetadataSnapshotLoad load = MetadataSnapshot.Read(snapshot, id);

        Assert.False(load.IsValid);
        Assert.Null(load.Image);
    }

    [Fact]
    public void LoaderTakesTheSnapshotImageAndNeverGoesBack()
    {
        var loader = new MetadataLoader(new Simulation.Storage.MemoryLogStorage());
        loader.LoadSnapshot(RichImage().WithOffset(40), snapshotEpoch: 3);

        Assert.Equal(40, loader.LastAppliedOffset);
        Assert.Equal(3, loader.LastAppliedEpoch);
        Assert.Throws<ArgumentException>(() => loader.LoadSnapshot(RichImage().WithOffset(30), 3));
    }
}
