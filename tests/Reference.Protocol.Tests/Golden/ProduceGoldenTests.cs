using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// Produce (key 0) v7, from ProduceRequest.json: the highest version librdkafka 2.0.2 sends, and the
/// lowest that allows zstd. The records field is opaque bytes to the codec; the batch inside is a real
/// record batch v2 (research/kafka-protocol-scope.md §2) so that the vector reads like a real produce.
/// </summary>
public sealed class ProduceGoldenTests
{
    /// <summary>
    /// One record batch (magic 2) holding one record with a null key and the value "hi". Its CRC-32C
    /// (0xbbcc4115) covers Attributes to the end and was computed outside this code base.
    /// </summary>
    public const string OneRecordBatch = """
        0000000000000000      #   BaseOffset 0
        0000003a              #   BatchLength 58 (bytes after this field)
        ffffffff              #   PartitionLeaderEpoch -1
        02                    #   Magic 2
        bbcc4115              #   CRC-32C of Attributes..end
        0000                  #   Attributes: no compression, CreateTime
        00000000              #   LastOffsetDelta 0
        0000018bcfe56800      #   BaseTimestamp 1700000000000
        0000018bcfe56800      #   MaxTimestamp 1700000000000
        ffffffffffffffff      #   ProducerId -1 (not idempotent)
        ffff                  #   ProducerEpoch -1
        ffffffff              #   BaseSequence -1
        00000001              #   RecordsCount 1
        10                    #   record: Length 8 (zigzag varint)
        00                    #     Attributes
        00                    #     TimestampDelta 0
        00                    #     OffsetDelta 0
        01                    #     KeyLength -1 (null key)
        04 6869               #     ValueLength 2, Value "hi"
        00                    #     HeadersCount 0
        """;

    public static readonly byte[] OneRecordBatchBytes = AnnotatedHex.Parse(OneRecordBatch);

    [Fact]
    public void V7RequestCarriesTheRecordBatchAsOpaqueBytes()
    {
        byte[] frame = AnnotatedHex.Frame($"""
            00000073              # size: 115
            0000                  # header v1: RequestApiKey 0 (Produce)
            0007                  #   RequestApiVersion 7
            00000003              #   CorrelationId 3
            0003 617070           #   ClientId "app"
            ffff                  # TransactionalId null (v3+)
            ffff                  # Acks -1 (all in-sync replicas)
            00007530              # TimeoutMs 30000
            00000001              # TopicData: int32 count 1
            0006 6f7264657273     #   Name "orders"
            00000001              #   PartitionData: int32 count 1
            00000000              #     Index 0
            00000046              #     Records: int32 length 70
            {OneRecordBatch}
            """);
        var header = new RequestHeader { RequestApiKey = 0, RequestApiVersion = 7, CorrelationId = 3, ClientId = "app" };
        var body = new ProduceRequest
        {
            TransactionalId = null,
            Acks = -1,
            TimeoutMs = 30000,
            TopicData = [new() { Name = "orders", PartitionData = [new() { Index = 0, Records = OneRecordBatchBytes }] }],
        };

        DecodedRequest decoded = GoldenFrame.AssertRequest(frame, header, body);

        ReadOnlyMemory<byte> records = ((ProduceRequest)decoded.Body).TopicData[0].PartitionData[0].Records!.Value;
        Assert.Equal(70, records.Length);
        Assert.Equal(2, records.Span[16]); // the magic byte, at its offset in the batch header
    }
}
