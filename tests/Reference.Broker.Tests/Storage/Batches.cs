using Reference.Protocol.Records;

namespace Reference.Broker.Tests.Storage;

/// <summary>Record batches with their offsets assigned, as the core hands them to storage.</summary>
internal static class Batches
{
    public static byte[] Make(long baseOffset, int records, int epoch = 0, long timestampMs = 1000, int valueBytes = 1)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = epoch });
        for (int i = 0; i < records; i++) builder.Append(timestampMs + i, key: null, value: Enumerable.Repeat((byte)i, valueBytes).ToArray());
        return builder.Build();
    }

    /// <summary>The base offsets of the batches in a records blob, in order.</summary>
    public static List<long> BaseOffsets(ReadOnlyMemory<byte> records)
    {
        var offsets = new List<long>();
        var walker = new RecordBatchWalker(records);
        while (walker.TryNext(out RecordBatchView batch)) offsets.Add(batch.Header.BaseOffset);
        Assert.True(walker.IsComplete, "a read returns whole batches only");
        return offsets;
    }
}
