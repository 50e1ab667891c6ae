using Reference.Protocol.Compression;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Log;

/// <summary>Producer batches as clients send them: base offset 0, offsets for the leader to assign.</summary>
internal static class TestBatches
{
    public static byte[] Records(int count, long timestampMs = 1_000, long producerId = -1, short producerEpoch = -1,
        int baseSequence = -1, int valueBytes = 1, CompressionType compression = CompressionType.None, bool transactional = false)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            BaseSequence = baseSequence,
            Compression = compression,
            IsTransactional = transactional,
        });
        for (int i = 0; i < count; i++) builder.Append(timestampMs + i, key: null, value: new byte[valueBytes]);
        return builder.Build();
    }

    /// <summary>An idempotent producer's batch, as librdkafka and kafkajs write them.</summary>
    public static byte[] Idempotent(long producerId, short epoch, int baseSequence, int count = 1) =>
        Records(count, producerId: producerId, producerEpoch: epoch, baseSequence: baseSequence);

    /// <summary>The headers of every batch in a records blob, in order.</summary>
    public static List<RecordBatchHeader> Headers(ReadOnlyMemory<byte> records)
    {
        var headers = new List<RecordBatchHeader>();
        var walker = new RecordBatchWalker(records);
        while (walker.TryNext(out RecordBatchView batch)) headers.Add(batch.Header);
        return headers;
    }
}
