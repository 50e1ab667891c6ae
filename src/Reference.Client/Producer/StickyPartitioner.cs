namespace Reference.Client.Producer;

/// <summary>
/// Where keyless records go (KIP-480): every keyless record of a topic goes to one partition until the
/// batch there is closed, then to another partition chosen at random, so batches fill up instead of
/// spreading single records over every partition. Only partitions with a leader are chosen while any has
/// one. Not thread-safe: the producer calls it under its lock.
/// </summary>
public sealed class StickyPartitioner
{
    private readonly Random _random;
    private readonly Dictionary<string, int> _stickyByTopic = new(StringComparer.Ordinal);

    /// <param name="random">The source of choices; tests pass a seeded one.</param>
    public StickyPartitioner(Random random) => _random = random;

    /// <summary>The partition for a keyless record of this topic.</summary>
    /// <param name="partitionCount">How many partitions the topic has.</param>
    /// <param name="available">The partitions that have a leader now.</param>
    public int Partition(string topic, int partitionCount, IReadOnlyList<int> available)
    {
        if (partitionCount <= 0) throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount, "a topic has at least one partition");
        if (_stickyByTopic.TryGetValue(topic, out int sticky) && sticky < partitionCount
            && (available.Count == 0 || available.Contains(sticky)))
            return sticky;
        int chosen = Choose(partitionCount, available, excluded: null);
        _stickyByTopic[topic] = chosen;
        return chosen;
    }

    /// <summary>
    /// The batch of <paramref name="partition"/> was closed (full or sent): if that is the sticky
    /// partition, the next keyless record goes elsewhere.
    /// </summary>
    public void OnBatchClosed(string topic, int partition, int partitionCount, IReadOnlyList<int> available)
    {
        if (!_stickyByTopic.TryGetValue(topic, out int sticky) || sticky != partition) return;
        _stickyByTopic[topic] = Choose(partitionCount, available, excluded: partition);
    }

    /// <summary>One random draw among the candidates other than <paramref name="excluded"/> (no retry loop).</summary>
    private int Choose(int partitionCount, IReadOnlyList<int> available, int? excluded)
    {
        IReadOnlyList<int> pool = available.Count > 0 ? available : Enumerable.Range(0, partitionCount).ToList();
        if (pool.Count == 1) return pool[0];
        List<int> candidates = excluded is int skip && pool.Contains(skip) ? pool.Where(p => p != skip).ToList() : pool.ToList();
        return candidates[_random.Next(candidates.Count)];
    }
}
