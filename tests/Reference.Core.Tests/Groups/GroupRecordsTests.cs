using Reference.Core.Groups;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;
using Record = Reference.Protocol.Records.Record;

namespace Reference.Core.Tests.Groups;

public sealed class GroupRecordsTests
{
    private static IReadOnlyList<Record> Records(RecordBatchBuilder batch)
    {
        RecordBatchDecodeResult decoded = RecordBatchDecoder.DecodeSingle(batch.Build());
        Assert.True(decoded.IsOk, decoded.Detail);
        return decoded.Records;
    }

    [Fact]
    public void AnOffsetCommitReadsBackAsWritten()
    {
        var batch = new RecordBatchBuilder(new RecordBatchOptions());
        var offset = new CommittedOffset(42, 7, "meta", 1_000, null, RecordOffset: 0);
        GroupRecords.AppendOffsetCommit(batch, "g", new TopicPartition("orders", 3), offset, 1_000);
        GroupRecords.AppendOffsetTombstone(batch, "g", new TopicPartition("orders", 4), 1_001);

        IReadOnlyList<Record> records = Records(batch);

        var commit = Assert.IsType<GroupRecord.OffsetCommit>(GroupRecords.Decode(records[0]));
        Assert.Equal(("g", new TopicPartition("orders", 3)), (commit.GroupId, commit.Partition));
        Assert.Equal(offset, commit.Offset);
        var tombstone = Assert.IsType<GroupRecord.OffsetCommit>(GroupRecords.Decode(records[1]));
        Assert.Null(tombstone.Offset);
    }

    [Fact]
    public void AnExplicitExpiryIsKeptInTheOnlyVersionThatHasIt()
    {
        var batch = new RecordBatchBuilder(new RecordBatchOptions());
        GroupRecords.AppendOffsetCommit(batch, "g", new TopicPartition("orders", 0), new CommittedOffset(5, -1, "", 1_000, 61_000, 0), 1_000);

        Record record = Records(batch)[0];

        Assert.Equal(1, record.Value!.Value.Span[1]); // int16 version 1
        var commit = Assert.IsType<GroupRecord.OffsetCommit>(GroupRecords.Decode(record));
        Assert.Equal(61_000, commit.Offset!.Value.ExpireTimestampMs);
    }

    [Fact]
    public void RecordsOfOlderVersionsStayReadable()
    {
        // An offset commit key v0 with a value v0 (no leader epoch, no expiry), as Kafka 0.8.2 wrote them.
        byte[] key = GroupRecords.Versioned(new OffsetCommitKey { Group = "old", Topic = "orders", Partition = 1 }, 0);
        byte[] value = GroupRecords.Versioned(new OffsetCommitValue { Offset = 9, Metadata = "x", CommitTimestamp = 5 }, 0);
        // A group metadata value v0: no rebalance timeout, no state timestamp, no instance ids.
        byte[] groupKey = GroupRecords.Versioned(new GroupMetadataKey { Group = "old" }, 2);
        byte[] groupValue = GroupRecords.Versioned(new GroupMetadataValue { ProtocolType = "consumer", Generation = 3, Protocol = "range", Leader = "m", Members = [new() { MemberId = "m", ClientId = "c", ClientHost = "h", SessionTimeout = 7_000 }] }, 0);
        var batch = new RecordBatchBuilder(new RecordBatchOptions()).Append(1, key, value).Append(2, groupKey, groupValue);

        IReadOnlyList<Record> records = Records(batch);

        var commit = Assert.IsType<GroupRecord.OffsetCommit>(GroupRecords.Decode(records[0]));
        Assert.Equal(new CommittedOffset(9, -1, "x", 5, null, 0), commit.Offset);
        var group = Assert.IsType<GroupRecord.GroupMetadata>(GroupRecords.Decode(records[1]));
        Assert.Equal(3, group.Value!.Generation);
        Assert.Equal(-1, group.Value.Members[0].RebalanceTimeout);
    }

    [Fact]
    public void AnUnknownKeyVersionIsSkippedNotFatal()
    {
        var batch = new RecordBatchBuilder(new RecordBatchOptions()).Append(1, new byte[] { 0, 9, 1, 2 }, new byte[] { 1 });

        Assert.Equal(new GroupRecord.Unknown(9), GroupRecords.Decode(Records(batch)[0]));
    }

    [Fact]
    public void AKnownRecordThatDoesNotParseIsAnError()
    {
        var batch = new RecordBatchBuilder(new RecordBatchOptions()).Append(1, new byte[] { 0, 2, 0 }, null);

        Assert.Throws<MalformedFrameException>(() => GroupRecords.Decode(Records(batch)[0]));
    }
}
