using System.Text;
using Reference.Client.Consumer;
using Reference.Client.Producer;
using Reference.Client.Records;
using Reference.Client.Tests.Responder;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Client.Tests.Producer;

public sealed class ProducerAgainstResponderTests
{
    private static Reply? Leader(DecodedRequest request, int port) => request.Body switch
    {
        MetadataRequest => ClusterScript.MetadataFor(request, port, ("t", 3)),
        ProduceRequest { Acks: 0 } => null,
        ProduceRequest produce => new Reply(new ProduceResponse
        {
            Responses = produce.TopicData.Select(t => new ProduceResponse.TopicProduceResponse
            {
                Name = t.Name,
                PartitionResponses = t.PartitionData.Select(p => new ProduceResponse.PartitionProduceResponse { Index = p.Index, BaseOffset = 100 }).ToList(),
            }).ToList(),
        }),
        _ => null,
    };

    [Fact]
    public async Task AKeyedRecordGoesToItsMurmur2PartitionWithItsHeaders()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => Leader(request, self!.Port));
        self = responder;
        await using var cluster = responder.NewClusterClient();
        var producer = new KafkaProducer(cluster, new ProducerOptions { LingerMs = 1 });
        var record = new ProducerRecord("t", Encoding.UTF8.GetBytes("key1"), Encoding.UTF8.GetBytes("v")) { Headers = [new RecordHeader("h", [1])] };
        RecordMetadata written = await producer.SendAsync(record);

        Assert.Equal(new RecordMetadata("t", 2, 100), written); // murmur2("key1") % 3 == 2
        ProduceRequest produce = responder.Received<ProduceRequest>().Single();
        Assert.Equal(-1, produce.Acks);
        var partition = produce.TopicData.Single().PartitionData.Single();
        Assert.Equal(2, partition.Index);
        DecodedRecord sent = RecordBatchCodec.Uncompressed.Decode(partition.Records!.Value).Records.Single();
        Assert.Equal("key1", Encoding.UTF8.GetString(sent.Key!));
        Assert.Equal("h", sent.Headers.Single().Key);
    }

    [Fact]
    public async Task RecordsForOnePartitionShareOneBatchWithConsecutiveOffsets()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => Leader(request, self!.Port));
        self = responder;
        await using var cluster = responder.NewClusterClient();
        var producer = new KafkaProducer(cluster, new ProducerOptions { LingerMs = 10_000 });
        var sends = Enumerable.Range(0, 5).Select(i => producer.SendAsync(new ProducerRecord("t", null, [(byte)i]) { Partition = 1 })).ToList();
        await producer.FlushAsync();
        var written = await Task.WhenAll(sends);

        Assert.Equal([100L, 101L, 102L, 103L, 104L], written.Select(w => w.Offset));
        Assert.Equal(5, RecordBatchCodec.Uncompressed.Decode(responder.Received<ProduceRequest>().Single().TopicData[0].PartitionData[0].Records!.Value).Records.Count);
    }

    [Fact]
    public async Task WithAcksZeroNothingIsAwaitedAndOffsetsAreUnknown()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => Leader(request, self!.Port));
        self = responder;
        await using var cluster = responder.NewClusterClient();
        var producer = new KafkaProducer(cluster, new ProducerOptions { Acks = Acks.None, LingerMs = 1 });
        RecordMetadata written = await producer.SendAsync(new ProducerRecord("t", null, [1]) { Partition = 0 });
        Assert.Equal(-1, written.Offset);
        Assert.Equal(0, (await responder.ReceivedEventuallyAsync<ProduceRequest>()).Acks);
    }

    [Fact]
    public async Task AConsumerReadsFromItsPositionSkippingEarlierRecordsOfTheBatch()
    {
        byte[] batch = RecordBatchCodec.Uncompressed.Encode(
            Enumerable.Range(0, 4).Select(i => new BatchRecord(null, [(byte)i], [], 1_000 + i)).ToList());
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(batch, 40);
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => request.Body switch
        {
            MetadataRequest => ClusterScript.MetadataFor(request, self!.Port, ("t", 1)),
            FetchRequest => new Reply(new FetchResponse
            {
                Responses = [new FetchResponse.FetchableTopicResponse { Topic = "t", Partitions = [new FetchResponse.PartitionData { HighWatermark = 44, Records = batch }] }],
            }),
            _ => null,
        });
        self = responder;
        await using var cluster = responder.NewClusterClient();
        var consumer = new KafkaConsumer(cluster);
        var partition = new TopicPartition("t", 0);
        consumer.Assign([partition]);
        consumer.Seek(partition, 42);
        var records = await consumer.PollAsync(CancellationToken.None);
        Assert.Equal([42L, 43L], records.Select(r => r.Offset));
        Assert.Equal(44, consumer.Position(partition));
        Assert.Equal(TimestampType.CreateTime, records[0].TimestampType);
    }
}
