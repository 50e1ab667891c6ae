using Reference.Protocol.Records;

namespace Reference.Core.Log;

/// <summary>What a follower may append of a fetch answer: the bytes, where the log then ends, each batch's header.</summary>
public sealed record AcceptedBatches(ReadOnlyMemory<byte> Bytes, long NextOffset, IReadOnlyList<RecordBatchHeader> Headers)
{
    public bool IsEmpty => Headers.Count == 0;

    /// <summary>Where each batch's epoch starts, for the epoch cache.</summary>
    public IReadOnlyList<EpochStartOffset> Epochs => Headers.Select(h => new EpochStartOffset(h.PartitionLeaderEpoch, h.BaseOffset)).ToList();
}

/// <summary>
/// The follower's check of the batches a leader sent (Kafka's <c>appendAsFollower</c>, which validates but
/// never reassigns): the batches that follow on from the log end, are intact (framing and CRC-32C), and
/// carry epochs that never go back and never pass the leader's current one. It stops at the first batch
/// that does not, and at a partial last batch (a fetch may be cut at its byte limit). The metadata log
/// and the partition logs follow their leaders by the same rule.
/// </summary>
public static class FollowerBatches
{
    /// <param name="lastEpoch">The epoch of the log's last batch, or -1 for an empty log.</param>
    /// <param name="leaderEpoch">The epoch of the leader sending them: no batch may come from a later one.</param>
    public static AcceptedBatches Accept(ReadOnlyMemory<byte> records, long logEndOffset, int lastEpoch, int leaderEpoch, RecordBatchRules rules)
    {
        var walker = new RecordBatchWalker(records);
        var headers = new List<RecordBatchHeader>();
        long nextOffset = logEndOffset;
        int acceptedBytes = 0;
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchHeader header = batch.Header;
            bool fits = header.BaseOffset == nextOffset && header.PartitionLeaderEpoch >= Math.Max(lastEpoch, 0)
                && header.PartitionLeaderEpoch <= leaderEpoch && RecordBatchValidator.ValidateBatch(batch, rules) == RecordBatchError.None;
            if (!fits) break;
            headers.Add(header);
            lastEpoch = header.PartitionLeaderEpoch;
            nextOffset = header.NextOffset;
            acceptedBytes = batch.PositionBytes + batch.Memory.Length;
        }
        return new AcceptedBatches(records[..acceptedBytes], nextOffset, headers);
    }

    /// <summary>
    /// The first offset of the batch holding <paramref name="offset"/> (or <paramref name="offset"/> itself
    /// at a boundary or past the end): storage truncates whole batches, so a cut inside one takes all of it.
    /// </summary>
    public static long BatchStartAtOrBelow(ILogStorage storage, TopicPartition log, long offset)
    {
        ReadOnlyMemory<byte> holding = storage.Read(log, offset, long.MaxValue, 1);
        return RecordBatchHeader.TryRead(holding.Span, out RecordBatchHeader header) && header.BaseOffset < offset
            ? header.BaseOffset
            : offset;
    }
}
