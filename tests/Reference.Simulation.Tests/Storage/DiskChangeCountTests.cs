using Reference.Core;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Simulation.Tests.Storage;

/// <summary>
/// <see cref="MemoryLogStorage.Changes"/> is what a reader of the disk trusts to tell it nothing changed
/// (ConsistentCommittedData skips a replica by it): every way the disk can change must count, and no read.
/// </summary>
public sealed class DiskChangeCountTests
{
    private static readonly TopicPartition Metadata = TopicPartition.ClusterMetadata;

    private static byte[] Batch(long baseOffset) =>
        new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = 1 }).Append(1_000, key: null, value: new byte[] { 7, 7 }).Build();

    [Fact]
    public void EveryChangeToTheDiskCountsAndNoReadDoes()
    {
        var disk = new MemoryLogStorage();
        var changes = new (string What, Action Change)[]
        {
            ("append", () => disk.Apply(new NodeEffect.AppendToLog(Metadata, 0, Batch(0)))),
            ("append", () => disk.Apply(new NodeEffect.AppendToLog(Metadata, 1, Batch(1)))),
            ("flush", () => disk.Flush(Metadata)),
            ("append", () => disk.Apply(new NodeEffect.AppendToLog(Metadata, 2, Batch(2)))),
            ("flush to", () => disk.FlushTo(Metadata, 3)),
            ("append", () => disk.Apply(new NodeEffect.AppendToLog(Metadata, 3, Batch(3)))),
            ("truncate", () => disk.Apply(new NodeEffect.TruncateLog(Metadata, 3))),
            ("snapshot", () => disk.Apply(new NodeEffect.WriteSnapshot(Metadata, new OffsetAndEpoch(1, 1), new byte[] { 1, 2, 3 }))),
            ("rotted snapshot", () => disk.CorruptSnapshotByte(Metadata, new OffsetAndEpoch(1, 1), 0, 0xff)),
            ("log start", () => disk.Apply(new NodeEffect.AdvanceLogStart(Metadata, 1))),
            ("quorum state", () => disk.Apply(new NodeEffect.PersistQuorumState(new QuorumStateData { LeaderEpoch = 1, LeaderId = -1, VotedId = -1 }))),
            ("rotted byte", () => disk.CorruptByte(Metadata, 2, 20, 0x01)),
            ("crash", () => disk.Crash()),
            ("recovery", () => disk.Recover()),
            ("reset", () => disk.Apply(new NodeEffect.TruncateFullyAndStartAt(Metadata, 5))),
            ("delete", () => disk.Apply(new NodeEffect.DeleteLog(Metadata))),
        };
        foreach ((string what, Action change) in changes)
        {
            long before = disk.Changes;
            change();
            Assert.True(disk.Changes > before, $"a {what} left the change count at {before}");
            long after = disk.Changes;
            _ = disk.Extent(Metadata);
            ReadAllOrFindRot(disk);
            _ = disk.Snapshots(Metadata);
            _ = disk.QuorumState;
            _ = disk.Segments(Metadata);
            _ = disk.LeaderEpochs(Metadata);
            _ = disk.UnflushedBytes(Metadata);
            Assert.Equal(after, disk.Changes);
        }
    }

    /// <summary>A read that meets a rotted batch refuses it, and changes nothing either.</summary>
    private static void ReadAllOrFindRot(MemoryLogStorage disk)
    {
        try
        {
            _ = disk.Read(Metadata, 0, long.MaxValue, int.MaxValue);
        }
        catch (LogCorruptionException)
        {
        }
    }
}
