using Reference.Protocol.Records;

namespace Reference.Protocol.Tests.Records;

public sealed class ControlRecordTests
{
    [Fact]
    public void TypeIdsMatchKafkasControlRecordType()
    {
        Assert.Equal(
            [(0, ControlRecordType.Abort), (1, ControlRecordType.Commit), (2, ControlRecordType.LeaderChange),
             (3, ControlRecordType.SnapshotHeader), (4, ControlRecordType.SnapshotFooter),
             (5, ControlRecordType.KRaftVersion), (6, ControlRecordType.KRaftVoters)],
            Enum.GetValues<ControlRecordType>().Select(type => ((int)type, type)));
    }

    [Theory]
    [InlineData(ControlRecordType.Abort, new byte[] { 0, 0, 0, 0 })]
    [InlineData(ControlRecordType.Commit, new byte[] { 0, 0, 0, 1 })]
    [InlineData(ControlRecordType.KRaftVoters, new byte[] { 0, 0, 0, 6 })]
    public void KeyIsVersionThenTypeAsBigEndianInt16s(ControlRecordType type, byte[] expected)
    {
        Assert.Equal(expected, ControlRecordKey.For(type).Encode());
        Assert.True(ControlRecordKey.TryDecode(expected, out ControlRecordKey key));
        Assert.Equal(new ControlRecordKey(0, type), key);
        Assert.True(key.IsKnownType);
    }

    [Fact]
    public void ShortKeysAndNegativeVersionsAreMalformed()
    {
        Assert.False(ControlRecordKey.TryDecode([0, 0, 0], out _));
        Assert.False(ControlRecordKey.TryDecode([0xff, 0xff, 0, 1], out _));
    }

    [Fact]
    public void NewerVersionsAndUnknownTypesArePreserved()
    {
        // A newer writer may append fields to the key; an unknown type is reported, not refused.
        Assert.True(ControlRecordKey.TryDecode([0, 1, 0, 1, 0xAA, 0xBB], out ControlRecordKey newer));
        Assert.Equal(new ControlRecordKey(1, ControlRecordType.Commit), newer);
        Assert.True(ControlRecordKey.TryDecode([0, 0, 0, 42], out ControlRecordKey unknown));
        Assert.False(unknown.IsKnownType);
        Assert.Equal(42, (short)unknown.Type);
    }

    [Fact]
    public void TransactionMarkerBatchRoundTrips()
    {
        // A COMMIT marker as a transaction coordinator writes it: transactional, control, one record.
        byte[] value = [0, 0, 0, 0, 0, 5]; // EndTransactionMarker: version 0, coordinator epoch 5
        byte[] batch = new RecordBatchBuilder(new RecordBatchOptions
            {
                BaseOffset = 10, ProducerId = 77, ProducerEpoch = 2, IsTransactional = true, IsControl = true,
            })
            .AppendControl(1_700_000_000_000, ControlRecordType.Commit, value)
            .Build();

        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        Assert.True(header.IsControl && header.IsTransactional);
        RecordBatchDecodeResult result = RecordBatchDecoder.DecodeSingle(batch);
        var record = Assert.Single(result.Records);
        Assert.True(ControlRecordKey.TryDecode(record.Key!.Value.Span, out ControlRecordKey key));
        Assert.Equal(ControlRecordType.Commit, key.Type);
        Assert.Equal(value, record.Value!.Value.ToArray());
        Assert.Equal(10, record.Offset);
    }

    [Fact]
    public void ControlRecordsOnlyGoInControlBatches() =>
        Assert.Throws<InvalidOperationException>(() =>
            new RecordBatchBuilder(new RecordBatchOptions()).AppendControl(0, ControlRecordType.Abort, null));
}
