namespace Reference.Simulation.Workload.Data;

/// <summary>How many clients of each kind the data workload runs, and the topic they share.</summary>
public sealed record DataWorkloadOptions
{
    /// <summary>Producer clients (ids 1..Producers); each draws its own mix of acks and idempotence per seed.</summary>
    public int Producers { get; init; } = 2;

    /// <summary>Partitions of <see cref="DataOperation.Topic"/>.</summary>
    public int Partitions { get; init; } = 2;

    /// <summary>
    /// The topic's replication factor; null (the default) means min(3, nodes), so acknowledged writes are
    /// judged across leader changes, ISR shrinks and follower truncation.
    /// </summary>
    public short? ReplicationFactor { get; init; }

    /// <summary>
    /// The topic's min.insync.replicas (capped by its replicas, as Kafka caps it). 2, Kafka's advice for three
    /// replicas, is what KIP-966's eligible leader replicas protect: below it the leader refuses acks=all and holds
    /// its high watermark, and the replicas that left the ISR wait in the ELR, so the last ISR member losing its
    /// tail cannot take an acknowledged write with it (the museum's last-replica-standing). With 1 a single crash
    /// of that member may (KIP-966's unclean last-known-leader recovery), and the checks allow it.
    /// </summary>
    public int MinInsyncReplicas { get; init; } = 2;

    /// <summary>Operations one client starts at most, so a long run's history stays bounded.</summary>
    public int OperationsPerClientMax { get; init; } = 10_000;

    /// <summary>Clients wait this long before their first request, so a quorum has a chance to form.</summary>
    public long FirstActionAfterMs { get; init; } = 1_000;

    public short ReplicationFactorFor(int nodeCount) => ReplicationFactor ?? (short)Math.Min(3, nodeCount);

    public void Validate()
    {
        if (Producers is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(Producers), Producers, "1 to 16 producers");
        if (Partitions is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(Partitions), Partitions, "1 to 16 partitions");
        if (ReplicationFactor is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(ReplicationFactor), ReplicationFactor, "1 to 7 replicas");
        if (MinInsyncReplicas is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(MinInsyncReplicas), MinInsyncReplicas, "1 to 7 replicas");
        if (OperationsPerClientMax < 1) throw new ArgumentOutOfRangeException(nameof(OperationsPerClientMax));
    }
}
