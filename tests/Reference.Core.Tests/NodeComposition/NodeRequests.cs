using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.NodeComposition;

/// <summary>The client side of the node tests: requests built as clients build them, answers checked.</summary>
internal static class NodeRequests
{
    public static void CreateTopic(this SingleNodeHarness node, string topic, int partitions)
    {
        var request = new CreateTopicsRequest
        {
            TimeoutMs = 10_000,
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }],
        };
        var answer = node.Send<CreateTopicsResponse>(request, 4);
        Assert.Equal((short)ErrorCode.None, answer.Topics.Single().ErrorCode);
        node.RunFor(100); // the broker applies the committed topic and becomes its leader
    }

    public static byte[] Batch(IReadOnlyList<string> values, long producerId = -1, short producerEpoch = -1, int baseSequence = -1)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { ProducerId = producerId, ProducerEpoch = producerEpoch, BaseSequence = baseSequence });
        foreach (string value in values) builder.Append(1_000, key: null, value: System.Text.Encoding.UTF8.GetBytes(value));
        return builder.Build();
    }

    public static ProduceResponse.PartitionProduceResponse Produce(this SingleNodeHarness node, string topic, int partition, byte[] batch, short acks = -1)
    {
        var request = new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 10_000,
            TopicData = [new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch }],
            }],
        };
        return node.Send<ProduceResponse>(request, 7).Responses.Single().PartitionResponses.Single();
    }

    public static (FetchResponse.PartitionData Partition, List<(long Offset, string Value)> Records) Fetch(this SingleNodeHarness node, string topic, int partition, long offset)
    {
        var request = new FetchRequest
        {
            ReplicaId = -1, MaxWaitMs = 0, MinBytes = 0, MaxBytes = 50 << 20, IsolationLevel = 1,
            Topics = [new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = 50 << 20 }],
            }],
        };
        FetchResponse.PartitionData data = node.Send<FetchResponse>(request, 11).Responses.Single().Partitions.Single();
        var records = new List<(long, string)>();
        var walker = new RecordBatchWalker(data.Records ?? ReadOnlyMemory<byte>.Empty);
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchDecodeResult decoded = RecordBatchDecoder.Decode(batch);
            Assert.True(decoded.IsOk, decoded.Detail);
            records.AddRange(decoded.Records.Select(r => (r.Offset, System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span))));
        }
        return (data, records);
    }
}
