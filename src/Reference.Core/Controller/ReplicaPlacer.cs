using Reference.Core.Node;

namespace Reference.Core.Controller;

/// <summary>
/// Places a topic's replicas on brokers, round-robin, as Kafka's rack-unaware placement does
/// (<c>AdminUtils.assignReplicasToBrokersRackUnaware</c>): partition p's first replica is broker
/// (p + start) mod n, which spreads leaders evenly; the followers follow at a shift that grows by one every
/// n partitions, which spreads each broker's followers over the others. The start and the shift come from the
/// node's seeded randomness, so leaders do not all pile on the lowest broker id, and a run replays exactly.
/// </summary>
internal static class ReplicaPlacer
{
    /// <param name="brokers">The usable brokers (active: unfenced, not shutting down), in id order.</param>
    /// <param name="firstPartition">The index of the first partition placed (CreatePartitions adds after the existing ones).</param>
    /// <returns>The replicas of each partition, leader first; or an error message, Kafka's, for INVALID_REPLICATION_FACTOR.</returns>
    public static (IReadOnlyList<int[]>? Replicas, string? Error) Place(
        IReadOnlyList<int> brokers, int firstPartition, int partitionCount, int replicationFactor, IDeterministicRandom random)
    {
        if (replicationFactor <= 0) throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor, "callers validate the replication factor");
        if (brokers.Count == 0) return (null, "All brokers are currently fenced.");
        if (replicationFactor > brokers.Count)
            return (null, $"The target replication factor of {replicationFactor} cannot be reached because only {brokers.Count} broker(s) are registered.");
        int n = brokers.Count;
        int start = random.Next(n);
        int shift = random.Next(n);
        var placements = new int[partitionCount][];
        for (int i = 0; i < partitionCount; i++)
        {
            int p = firstPartition + i;
            if (i > 0 && p % n == 0) shift++;
            int first = (p + start) % n;
            var replicas = new int[replicationFactor];
            replicas[0] = brokers[first];
            for (int j = 1; j < replicationFactor; j++) replicas[j] = brokers[FollowerIndex(first, shift, j - 1, n)];
            placements[i] = replicas;
        }
        return (placements, null);
    }

    /// <summary>Never the leader's own index: the offset is between 1 and n-1.</summary>
    private static int FollowerIndex(int first, int shift, int follower, int n) => (first + 1 + (shift + follower) % (n - 1)) % n;
}
