using Reference.Core.Metadata;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

public sealed class MetadataDeltaTests
{
    private static MetadataImage Apply(params IMetadataRecord[] records)
    {
        var delta = new MetadataDelta(MetadataImage.Empty);
        for (int i = 0; i < records.Length; i++) Assert.Null(delta.Replay(records[i], i));
        return delta.Build();
    }

    [Fact]
    public void TopicAndPartitionRecordsBuildTheTopicByNameAndById()
    {
        MetadataImage image = Apply(Topic("orders", Id(1)), Partition(Id(1), 0, 1, 2), Partition(Id(1), 1, 2, 1));

        TopicImage topic = Assert.IsType<TopicImage>(image.Topic("orders"));
        Assert.Same(topic, image.Topic(Id(1)));
        Assert.Equal([0, 1], topic.Partitions.Keys);
        PartitionRegistration p1 = topic.Partitions[1];
        Assert.Equal([2, 1], p1.Replicas.ToArray());
        Assert.Equal([2, 1], p1.Isr.ToArray());
        Assert.Equal(2, p1.Leader);
        Assert.Equal(2, image.Offset);
        Assert.False(topic.IsInternal);
    }

    [Fact]
    public void ALeaderChangeBumpsTheLeaderEpochAndAnIsrChangeOnlyThePartitionEpoch()
    {
        MetadataImage image = Apply(
            Topic("t", Id(1)), Partition(Id(1), 0, 1, 2, 3),
            Change(Id(1), 0, isr: [1, 2]),
            Change(Id(1), 0, leader: 2, isr: [2]));

        PartitionRegistration p = image.Topic("t")!.Partitions[0];
        Assert.Equal(2, p.Leader);
        Assert.Equal([2], p.Isr.ToArray());
        Assert.Equal(1, p.LeaderEpoch);
        Assert.Equal(2, p.PartitionEpoch);
        Assert.Equal([1, 2, 3], p.Replicas.ToArray());
    }

    [Fact]
    public void WritingTheSameLeaderStillBumpsTheLeaderEpochAsKafkaDoes()
    {
        MetadataImage image = Apply(Topic("t", Id(1)), Partition(Id(1), 0, 1), Change(Id(1), 0, leader: 1));

        Assert.Equal(1, image.Topic("t")!.Partitions[0].LeaderEpoch);
    }

    [Fact]
    public void BrokersRegisterFencedAndRegistrationChangesFlipFencingAndControlledShutdown()
    {
        var fence = new BrokerRegistrationChangeRecord { BrokerId = 1, BrokerEpoch = 10, Fenced = 1 };
        var unfence = new BrokerRegistrationChangeRecord { BrokerId = 1, BrokerEpoch = 10, Fenced = -1 };
        var shutdown = new BrokerRegistrationChangeRecord { BrokerId = 1, BrokerEpoch = 10, InControlledShutdown = 1 };

        MetadataImage registered = Apply(Register(1, 10));
        MetadataImage unfenced = Apply(Register(1, 10), unfence);
        MetadataImage refenced = Apply(Register(1, 10), unfence, fence);
        MetadataImage shuttingDown = Apply(Register(1, 10), unfence, shutdown);

        Assert.True(registered.Broker(1)!.Fenced);
        Assert.Equal(0, registered.Broker(1)!.RegistrationOffset);
        Assert.True(unfenced.IsActiveBroker(1));
        Assert.True(refenced.Broker(1)!.Fenced);
        Assert.False(shuttingDown.IsActiveBroker(1));
        Assert.True(shuttingDown.Broker(1)!.InControlledShutdown);
        Assert.False(shuttingDown.Broker(1)!.Fenced);
    }

    [Fact]
    public void TheOlderFenceAndUnfenceRecordsAreUnderstoodToo()
    {
        MetadataImage image = Apply(Register(1, 10), new UnfenceBrokerRecord { Id = 1, Epoch = 10 });
        Assert.False(image.Broker(1)!.Fenced);
        image = image.Apply([V(new FenceBrokerRecord { Id = 1, Epoch = 10 })], firstOffset: 2);
        Assert.True(image.Broker(1)!.Fenced);
    }

    [Fact]
    public void ANullConfigValueDeletesAndRemovingATopicDropsItsConfigs()
    {
        MetadataImage image = Apply(
            Topic("t", Id(1)),
            TopicConfig("t", "retention.ms", "1000"),
            TopicConfig("t", "cleanup.policy", "compact"),
            TopicConfig("t", "retention.ms", null));

        Assert.Equal(["cleanup.policy"], image.ConfigsOf(ConfigResource.ForTopic("t")).Keys);

        image = image.Apply([V(new RemoveTopicRecord { TopicId = Id(1) })], firstOffset: 4);
        Assert.Null(image.Topic("t"));
        Assert.Null(image.Topic(Id(1)));
        Assert.Empty(image.Configs);
    }

    [Fact]
    public void FeatureLevelsAndProducerIdBlocksAreTracked()
    {
        MetadataImage image = Apply(
            new FeatureLevelRecord { Name = MetadataVersion.FeatureName, FeatureLevel = 21 },
            new ProducerIdsRecord { BrokerId = 1, BrokerEpoch = 3, NextProducerId = 1000 });

        Assert.Equal((short)21, image.MetadataVersionLevel);
        Assert.Equal(1000, image.NextProducerId);
    }

    [Fact]
    public void RecordsThatContradictTheImageAreFaultsAndChangeNothing()
    {
        var delta = new MetadataDelta(Apply(Topic("t", Id(1)), Register(1, 10)));

        Assert.Contains("no topic has id", delta.Replay(Partition(Id(9), 0, 1), 2));
        Assert.Contains("no partition 3", delta.Replay(Change(Id(1), 3, leader: 1), 3));
        Assert.Contains("exists", delta.Replay(Topic("t", Id(2)), 4));
        Assert.Contains("has epoch 10, not 11", delta.Replay(new BrokerRegistrationChangeRecord { BrokerId = 1, BrokerEpoch = 11, Fenced = -1 }, 5));
        Assert.Contains("not registered", delta.Replay(new UnregisterBrokerRecord { BrokerId = 2, BrokerEpoch = 1 }, 6));
        Assert.Contains("not above", delta.Replay(new ProducerIdsRecord { NextProducerId = 0 }, 7));

        MetadataImage image = delta.Build();
        Assert.Equal(7, image.Offset);
        Assert.Empty(image.Topic("t")!.Partitions);
        Assert.True(image.Broker(1)!.Fenced);
    }

    [Fact]
    public void RecordsMustArriveInOffsetOrder()
    {
        var delta = new MetadataDelta(MetadataImage.Empty);
        delta.Replay(new NoOpRecord(), 5);

        Assert.Throws<ArgumentOutOfRangeException>(() => delta.Replay(new NoOpRecord(), 5));
    }

    [Fact]
    public void ImagesAreImmutableAndShareUnchangedParts()
    {
        MetadataImage before = Apply(Topic("a", Id(1)), Partition(Id(1), 0, 1), Register(1, 1));
        MetadataImage after = before.Apply([V(Topic("b", Id(2)))], firstOffset: 3);

        Assert.Null(before.Topic("b"));
        Assert.Same(before.Topic("a"), after.Topic("a"));
        Assert.Same(before.Brokers, after.Brokers);
    }

    [Fact]
    public void InternalTopicsAreFlagged()
    {
        MetadataImage image = Apply(Topic(TopicNames.ConsumerOffsets, Id(1)));

        Assert.True(image.Topic(TopicNames.ConsumerOffsets)!.IsInternal);
    }
}
