using FsCheck;
using FsCheck.Fluent;
using Reference.Core;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Simulation.Tests.Storage;

public sealed class DiskFaultTests
{
    private static readonly TopicPartition Log = new("t", 0);

    private static byte[] Batch(long baseOffset, int records) =>
        Enumerable.Range(0, records).Aggregate(new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = 1 }),
            (builder, i) => builder.Append(1_000 + i, key: null, value: new byte[] { (byte)i, 7, 7, 7 })).Build();

    /// <summary>Appends batches of the given sizes, flushing after those marked, and returns the offsets where each batch ends.</summary>
    private static List<long> Write(MemoryLogStorage disk, IEnumerable<(int Records, bool Flush)> steps)
    {
        var ends = new List<long>();
        long end = 0;
        foreach ((int records, bool flush) in steps)
        {
            Assert.True(disk.Apply(new NodeEffect.AppendToLog(Log, end, Batch(end, records))));
            end += records;
            ends.Add(end);
            if (flush) disk.Flush(Log);
        }
        return ends;
    }

    [Fact]
    public void ACrashLosesExactlyTheUnflushedTail()
    {
        Prop.ForAll(Gen.Zip(Gen.Choose(1, 5), ArbMap.Default.GeneratorFor<bool>()).ListOf().ToArbitrary(), steps =>
        {
            var disk = new MemoryLogStorage();
            Write(disk, steps);
            long durable = disk.Extent(Log).DurableEndOffset;
            ReadOnlyMemory<byte> durablePrefix = disk.Read(Log, 0, durable, int.MaxValue);
            disk.Crash();
            Assert.Empty(disk.Recover());
            Assert.Equal(durable, disk.Extent(Log).EndOffset);
            Assert.True(disk.Read(Log, 0, long.MaxValue, int.MaxValue).Span.SequenceEqual(durablePrefix.Span));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void ATornWriteIsCutAtTheFirstBatchThatFailsItsCheckOnRecovery()
    {
        var disk = new MemoryLogStorage();
        Write(disk, [(2, true), (3, false), (4, false)]);
        int unflushed = disk.UnflushedBytes(Log);
        int secondBatchBytes = Batch(2, 3).Length;
        // The power went out part-way through the third batch: the second made it whole.
        disk.Crash([new TornWrite(Log, secondBatchBytes + 10)]);
        Assert.True(unflushed > secondBatchBytes + 10);
        Assert.Throws<LogCorruptionException>(() => disk.Read(Log, 5, long.MaxValue, int.MaxValue));
        IReadOnlyList<RecoveryCut> cuts = disk.Recover();
        Assert.Equal([new RecoveryCut(Log, 5, RecordBatchError.Truncated)], cuts);
        Assert.Equal(new Core.Log.LogExtent(0, 5, 5), disk.Extent(Log));
        Assert.Equal(Batch(0, 2).Concat(Batch(2, 3)).ToArray(), disk.Read(Log, 0, long.MaxValue, int.MaxValue).ToArray());
    }

    [Fact]
    public void ATearOfFewerBytesThanAHeaderLeavesOnlyTheDurablePrefix()
    {
        var disk = new MemoryLogStorage();
        Write(disk, [(2, true), (3, false)]);
        disk.Crash([new TornWrite(Log, 5)]);
        Assert.Single(disk.Recover());
        Assert.Equal(2, disk.Extent(Log).EndOffset);
    }

    [Fact]
    public void ARottedByteIsNeverServedAndRecoveryCutsTheLogThere()
    {
        var disk = new MemoryLogStorage();
        Write(disk, [(2, false), (3, false), (1, true)]);
        ReadOnlyMemory<byte> heldBeforeTheRot = disk.Read(Log, 2, 5, int.MaxValue);
        Assert.False(disk.CorruptByte(Log, 2, RecordBatchLayout.CrcAt - 1, 0x01), "bytes before the CRC are not covered by it, so they are not rotted");
        Assert.True(disk.CorruptByte(Log, 2, 40, 0x10));
        Assert.Equal(Batch(2, 3), heldBeforeTheRot.ToArray());
        Assert.False(disk.Read(Log, 0, 2, int.MaxValue).IsEmpty, "the batch before the rotted one is still served");
        LogCorruptionException error = Assert.Throws<LogCorruptionException>(() => disk.Read(Log, 0, long.MaxValue, int.MaxValue));
        Assert.Equal(2, error.BatchBaseOffset);
        Assert.Equal(RecordBatchError.CrcMismatch, error.Reason);
        Assert.Equal([new RecoveryCut(Log, 2, RecordBatchError.CrcMismatch)], disk.Recover());
        Assert.Equal(2, disk.Extent(Log).EndOffset);
    }

    [Fact]
    public void AnUnflushedBatchCannotRot()
    {
        var disk = new MemoryLogStorage();
        Write(disk, [(2, false)]);
        Assert.False(disk.CorruptByte(Log, 0, 40, 0x10));
    }

    [Fact]
    public void AFlushMakesDurableOnlyWhatWasWrittenWhenItWasAskedFor()
    {
        var disk = new MemoryLogStorage();
        Write(disk, [(2, false)]);
        long asked = disk.Extent(Log).EndOffset;
        Write2(disk, 2, 3);
        Assert.Equal(2, disk.FlushTo(Log, asked));
        Assert.Equal(2, disk.FlushTo(Log, 4));
        Assert.Equal(5, disk.FlushTo(Log, 9));
    }

    private static void Write2(MemoryLogStorage disk, long baseOffset, int records) =>
        Assert.True(disk.Apply(new NodeEffect.AppendToLog(Log, baseOffset, Batch(baseOffset, records))));

    [Fact]
    public void ABatchWithABadCrcIsRefusedOnAppend()
    {
        var disk = new MemoryLogStorage();
        byte[] batch = Batch(0, 2);
        batch[^1] ^= 0xff;
        Assert.False(disk.Apply(new NodeEffect.AppendToLog(Log, 0, batch)));
    }

    [Fact]
    public void ThePersistedQuorumStateCannotChangeBehindTheDisksBack()
    {
        var disk = new MemoryLogStorage();
        var state = new QuorumStateData { LeaderEpoch = 3, LeaderId = 1, VotedId = 2 };
        disk.Apply(new NodeEffect.PersistQuorumState(state));
        state.LeaderEpoch = 99;
        Assert.Equal(3, disk.QuorumState!.LeaderEpoch);
        disk.QuorumState!.VotedId = 7;
        Assert.Equal(2, disk.QuorumState!.VotedId);
        disk.Crash();
        Assert.Equal(1, disk.QuorumState!.LeaderId);
    }
}
