using System.Buffers.Binary;
using Reference.Core.Log;
using Reference.Protocol;
using Reference.Protocol.Compression;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Log;

public sealed class ProduceBatchValidatorTests
{
    private static readonly TopicLogConfig Config = new() { MaxMessageBytes = 1_000, MinInsyncReplicas = 1 };

    private static ErrorCode Check(byte[]? records, short apiVersion = 9) =>
        ProduceBatchValidator.Check(records, apiVersion, Config).Error;

    [Fact]
    public void AWellFormedBatchPasses()
    {
        ProduceBatchCheck check = ProduceBatchValidator.Check(TestBatches.Records(3), 9, Config);
        Assert.True(check.IsValid);
        Assert.Equal(3, check.Batch.Header.RecordCount);
    }

    [Fact]
    public void OldMessageFormatsAreInvalidRecordsAsInKafka()
    {
        byte[] batch = TestBatches.Records(1);
        batch[RecordBatchLayout.MagicAt] = 1;
        // ProduceRequest.validateRecords throws InvalidRecordException for magic < 2 from Produce v3.
        Assert.Equal(ErrorCode.InvalidRecord, Check(batch));
    }

    [Fact]
    public void ACorruptedBatchIsACorruptMessage()
    {
        byte[] batch = TestBatches.Records(2);
        batch[^1] ^= 0xFF;
        Assert.Equal(ErrorCode.CorruptMessage, Check(batch));
        Assert.Equal(ErrorCode.CorruptMessage, Check(batch[..40]));
    }

    [Fact]
    public void ABatchAboveMaxMessageBytesIsTooLarge()
    {
        Assert.Equal(ErrorCode.MessageTooLarge, Check(TestBatches.Records(1, valueBytes: 2_000)));
    }

    [Fact]
    public void APartitionCarriesExactlyOneBatchFromOffsetZero()
    {
        Assert.Equal(ErrorCode.InvalidRecord, Check([.. TestBatches.Records(1), .. TestBatches.Records(1)]));
        Assert.Equal(ErrorCode.InvalidRecord, Check(null));
        Assert.Equal(ErrorCode.InvalidRecord, Check([]));
        byte[] shifted = TestBatches.Records(1);
        BinaryPrimitives.WriteInt64BigEndian(shifted, 7);
        Assert.Equal(ErrorCode.InvalidRecord, Check(shifted));
    }

    [Fact]
    public void ZstdNeedsProduceV7()
    {
        if (!CompressionCodecs.Zstd.IsSupported) return; // this machine cannot build the batch
        byte[] batch = TestBatches.Records(2, compression: CompressionType.Zstd);
        Assert.Equal(ErrorCode.UnsupportedCompressionType, Check(batch, apiVersion: 6));
        Assert.Equal(ErrorCode.None, Check(batch, apiVersion: 7));
    }

    [Fact]
    public void AProducerIdNeedsASequence()
    {
        Assert.Equal(ErrorCode.InvalidRecord, Check(TestBatches.Records(1, producerId: 5, producerEpoch: 0, baseSequence: -1)));
        Assert.Equal(ErrorCode.None, Check(TestBatches.Records(1, producerId: 5, producerEpoch: 0, baseSequence: 0)));
    }

    [Fact]
    public void ClientsMayNotWriteControlBatches()
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { IsControl = true });
        builder.AppendControl(1, ControlRecordType.Commit, new byte[6]);
        Assert.Equal(ErrorCode.InvalidRecord, Check(builder.Build()));
    }
}
