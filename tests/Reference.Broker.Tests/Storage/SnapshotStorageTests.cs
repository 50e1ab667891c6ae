using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Simulation.Storage;

namespace Reference.Broker.Tests.Storage;

/// <summary>
/// What each disk does with snapshots beyond the shared contract: the model loses an unflushed snapshot in a
/// crash; the broker's disk keeps Kafka's <c>&lt;offset&gt;-&lt;epoch&gt;.checkpoint</c> files, durable at once,
/// across a stop of either kind.
/// </summary>
public sealed class SnapshotStorageTests
{
    private static readonly TopicPartition Metadata = TopicPartition.ClusterMetadata;
    private static readonly OffsetAndEpoch Id = new(10, 2);

    [Fact]
    public void ModelLosesAnUnflushedSnapshotInACrashAndKeepsAFlushedOne()
    {
        var disk = new MemoryLogStorage();
        disk.Apply(new NodeEffect.WriteSnapshot(Metadata, Id, new byte[] { 1, 2, 3 }));
        Assert.False(Assert.Single(disk.Snapshots(Metadata)).IsDurable);
        disk.Crash();
        Assert.Empty(disk.Snapshots(Metadata));

        disk.Apply(new NodeEffect.WriteSnapshot(Metadata, Id, new byte[] { 1, 2, 3 }));
        disk.FlushTo(Metadata, 0);
        disk.Crash();
        Assert.Equal([1, 2, 3], disk.ReadSnapshot(Metadata, Id, 0, 10).ToArray());
    }

    [Fact]
    public void BrokerDiskWritesKafkasCheckpointFileDurablyAndFindsItAfterAKill()
    {
        using var disk = new DiskLogStorageContractTests.DiskUnderTest(segmentBytes: 1L << 30);
        disk.Apply(new NodeEffect.WriteSnapshot(Metadata, Id, new byte[] { 9, 8, 7 }));

        string directory = disk.PartitionDirectory(Metadata);
        Assert.True(File.Exists(Path.Combine(directory, "00000000000000000010-0000000002.checkpoint")));
        Assert.Empty(Directory.GetFiles(directory, "*.part"));
        Assert.True(Assert.Single(disk.Reads.Snapshots(Metadata)).IsDurable);

        disk.Reopen(clean: false, whileStopped: () => File.WriteAllBytes(Path.Combine(directory, "00000000000000000020-0000000003.checkpoint.part"), [1]));

        Assert.Equal([new SnapshotInfo(Id, 3, true)], disk.Reads.Snapshots(Metadata));
        Assert.Equal([9, 8, 7], disk.Reads.ReadSnapshot(Metadata, Id, 0, 10).ToArray());
    }

    [Fact]
    public void BrokerDiskKeepsAFullTruncationAcrossAStop()
    {
        using var disk = new DiskLogStorageContractTests.DiskUnderTest(segmentBytes: 1L << 30);
        disk.Apply(new NodeEffect.AppendToLog(Metadata, 0, Batches.Make(0, 3)));
        disk.Flush(Metadata);
        disk.Apply(new NodeEffect.TruncateFullyAndStartAt(Metadata, 10));

        disk.Reopen(clean: false);

        Assert.Equal(new LogExtent(10, 10, 10), disk.Reads.Extent(Metadata));
    }
}
