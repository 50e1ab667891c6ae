using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Simulation.Tests.Storage;

/// <summary>
/// The disk finds <c>__cluster_metadata</c> through a field of its own, beside the dictionary of logs: these
/// prove the field follows the log through a delete and a re-creation and never answers for another log.
/// </summary>
public sealed class MetadataLogLookupTests
{
    private static readonly TopicPartition Metadata = TopicPartition.ClusterMetadata;
    private static readonly TopicPartition Data = new("t", 0);

    private static byte[] Batch(long baseOffset, int records) =>
        Enumerable.Range(0, records).Aggregate(new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = 1 }),
            (builder, i) => builder.Append(1_000 + i, key: null, value: new byte[] { (byte)i })).Build();

    [Fact]
    public void ADeletedMetadataLogIsGoneAndARecreatedOneStartsAfresh()
    {
        var disk = new MemoryLogStorage();
        Assert.True(disk.Apply(new NodeEffect.AppendToLog(Metadata, 0, Batch(0, 5))));
        Assert.True(disk.Apply(new NodeEffect.AppendToLog(Data, 0, Batch(0, 2))));
        disk.Flush(Metadata);
        Assert.Equal(new LogExtent(0, 5, 5), disk.Extent(Metadata));

        disk.Apply(new NodeEffect.DeleteLog(Metadata));
        Assert.Equal(default, disk.Extent(Metadata));
        Assert.True(disk.Read(Metadata, 0, long.MaxValue, int.MaxValue).IsEmpty);
        Assert.Equal([Data], disk.Logs);
        Assert.Equal(new LogExtent(0, 2, 0), disk.Extent(Data));

        Assert.True(disk.Apply(new NodeEffect.AppendToLog(Metadata, 0, Batch(0, 3))));
        Assert.Equal(new LogExtent(0, 3, 0), disk.Extent(Metadata));
        Assert.Equal(Batch(0, 3), disk.Read(Metadata, 0, long.MaxValue, int.MaxValue).ToArray());
    }

    [Fact]
    public void TheMetadataLogIsFoundByValueAndOtherLogsAreNotTakenForIt()
    {
        var disk = new MemoryLogStorage();
        Assert.True(disk.Apply(new NodeEffect.AppendToLog(Metadata, 0, Batch(0, 4))));
        // A name decoded from a request is an equal string, not the same object.
        var decoded = new TopicPartition(new string("__cluster_metadata".ToCharArray()), 0);
        Assert.False(ReferenceEquals(decoded.Topic, Metadata.Topic));
        Assert.Equal(new LogExtent(0, 4, 0), disk.Extent(decoded));
        Assert.Equal(default, disk.Extent(new TopicPartition(Metadata.Topic, 1)));
        Assert.Equal(default, disk.Extent(Data));
    }
}
