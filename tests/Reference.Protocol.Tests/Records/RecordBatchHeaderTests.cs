using System.Buffers.Binary;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;

namespace Reference.Protocol.Tests.Records;

public sealed class RecordBatchHeaderTests
{
    /// <summary>A header whose every field holds a different value, at the offsets DefaultRecordBatch documents
    /// (written with literal offsets, not our constants, so a wrong constant shows up here).</summary>
    private static byte[] DistinctHeader(short attributes)
    {
        var header = new byte[61];
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(0), 0x0102030405060708);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 49);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 77);
        header[16] = 2;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(17), 0xCAFEBABE);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(21), attributes);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(23), 9);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(27), 1_600_000_000_000);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(35), 1_600_000_000_999);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(43), 4242);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(51), 3);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(53), 100);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(57), 10);
        return header;
    }

    [Fact]
    public void EachFieldIsReadFromItsDocumentedOffset()
    {
        RecordBatchHeader header = RecordBatchHeader.Read(DistinctHeader(attributes: 0));
        Assert.Equal(0x0102030405060708, header.BaseOffset);
        Assert.Equal(49, header.BatchLength);
        Assert.Equal(77, header.PartitionLeaderEpoch);
        Assert.Equal(2, header.Magic);
        Assert.Equal(0xCAFEBABEu, header.Crc);
        Assert.Equal(9, header.LastOffsetDelta);
        Assert.Equal(1_600_000_000_000, header.BaseTimestamp);
        Assert.Equal(1_600_000_000_999, header.MaxTimestamp);
        Assert.Equal(4242, header.ProducerId);
        Assert.Equal(3, header.ProducerEpoch);
        Assert.Equal(100, header.BaseSequence);
        Assert.Equal(10, header.RecordCount);
        Assert.Equal(61, header.SizeBytes);
        Assert.Equal(0x0102030405060708 + 9, header.LastOffset);
        Assert.Equal(0x0102030405060708 + 10, header.NextOffset);
    }

    [Fact]
    public void LayoutConstantsMatchTheDocumentedOffsets()
    {
        int[] documented = [0, 8, 12, 16, 17, 21, 23, 27, 35, 43, 51, 53, 57, 61];
        int[] ours =
        [
            RecordBatchLayout.BaseOffsetAt, RecordBatchLayout.BatchLengthAt, RecordBatchLayout.PartitionLeaderEpochAt,
            RecordBatchLayout.MagicAt, RecordBatchLayout.CrcAt, RecordBatchLayout.AttributesAt,
            RecordBatchLayout.LastOffsetDeltaAt, RecordBatchLayout.BaseTimestampAt, RecordBatchLayout.MaxTimestampAt,
            RecordBatchLayout.ProducerIdAt, RecordBatchLayout.ProducerEpochAt, RecordBatchLayout.BaseSequenceAt,
            RecordBatchLayout.RecordCountAt, RecordBatchLayout.RecordsAt,
        ];
        Assert.Equal(documented, ours);
        Assert.Equal(49, RecordBatchLayout.BatchLengthMin);
    }

    [Theory]
    [InlineData(0x0000, CompressionType.None, TimestampType.CreateTime, false, false, false)]
    [InlineData(0x0001, CompressionType.Gzip, TimestampType.CreateTime, false, false, false)]
    [InlineData(0x0002, CompressionType.Snappy, TimestampType.CreateTime, false, false, false)]
    [InlineData(0x0003, CompressionType.Lz4, TimestampType.CreateTime, false, false, false)]
    [InlineData(0x0004, CompressionType.Zstd, TimestampType.CreateTime, false, false, false)]
    [InlineData(0x0008, CompressionType.None, TimestampType.LogAppendTime, false, false, false)]
    [InlineData(0x0010, CompressionType.None, TimestampType.CreateTime, true, false, false)]
    [InlineData(0x0020, CompressionType.None, TimestampType.CreateTime, false, true, false)]
    [InlineData(0x0040, CompressionType.None, TimestampType.CreateTime, false, false, true)]
    [InlineData(0x007C, CompressionType.Zstd, TimestampType.LogAppendTime, true, true, true)]
    [InlineData(unchecked((short)0xFF80), CompressionType.None, TimestampType.CreateTime, false, false, false)] // unused bits
    public void AttributeBitsMeanWhatDefaultRecordBatchSays(short attributes, CompressionType compression,
        TimestampType timestampType, bool transactional, bool control, bool deleteHorizon)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(DistinctHeader(attributes));
        Assert.Equal(compression, header.Compression);
        Assert.Equal(timestampType, header.TimestampType);
        Assert.Equal(transactional, header.IsTransactional);
        Assert.Equal(control, header.IsControl);
        Assert.Equal(deleteHorizon, header.HasDeleteHorizon);
    }

    [Fact]
    public void HeaderNeedsAllSixtyOneBytes()
    {
        Assert.False(RecordBatchHeader.TryRead(new byte[60], out _));
        Assert.True(RecordBatchHeader.TryRead(new byte[61], out _));
        Assert.Throws<ArgumentException>(() => RecordBatchHeader.Read(new byte[60]));
    }
}
