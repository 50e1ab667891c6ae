using System.Globalization;
using System.Text;
using Reference.Client.Admin;
using Reference.Protocol.Primitives;

namespace Reference.Cli.Formatting;

/// <summary>`kafka-metadata-quorum.sh describe --status` and `--replication` (MetadataQuorumCommand, Kafka 3.9).</summary>
public static class QuorumStatusFormat
{
    public static string Status(string? clusterId, QuorumDescription quorum)
    {
        QuorumReplica? leader = quorum.Voters.FirstOrDefault(v => v.ReplicaId == quorum.LeaderId);
        // The most lagging voter is the one with the smallest log end offset (the leader when all agree).
        QuorumReplica? laggard = quorum.Voters.OrderBy(v => v.LogEndOffset).FirstOrDefault();
        long maxLag = leader is not null && laggard is not null ? leader.LogEndOffset - laggard.LogEndOffset : 0;
        long maxLagTimeMs = leader is null || laggard is null || laggard.ReplicaId == leader.ReplicaId
            ? 0
            : leader.LastCaughtUpTimestampMs >= 0 && laggard.LastCaughtUpTimestampMs >= 0
                ? leader.LastCaughtUpTimestampMs - laggard.LastCaughtUpTimestampMs
                : -1;
        return new StringBuilder()
            .Append("ClusterId:              ").Append(clusterId).Append('\n')
            .Append("LeaderId:               ").Append(quorum.LeaderId).Append('\n')
            .Append("LeaderEpoch:            ").Append(quorum.LeaderEpoch).Append('\n')
            .Append("HighWatermark:          ").Append(quorum.HighWatermark).Append('\n')
            .Append("MaxFollowerLag:         ").Append(maxLag).Append('\n')
            .Append("MaxFollowerLagTimeMs:   ").Append(maxLagTimeMs).Append('\n')
            .Append("CurrentVoters:          ").Append(Replicas(quorum.Voters, quorum)).Append('\n')
            .Append("CurrentObservers:       ").Append(Replicas(quorum.Observers, quorum)).Append('\n')
            .ToString();
    }

    /// <summary>[{"id": 1, "directoryId": "...", "endpoints": ["CONTROLLER://host:port"]}, ...]; endpoints only when known.</summary>
    public static string Replicas(IReadOnlyList<QuorumReplica> replicas, QuorumDescription quorum) =>
        "[" + string.Join(", ", replicas.Select(r => Replica(r, quorum))) + "]";

    private static string Replica(QuorumReplica replica, QuorumDescription quorum)
    {
        var text = new StringBuilder("{\"id\": ").Append(replica.ReplicaId).Append(", \"directoryId\": ");
        text.Append(replica.DirectoryId == Uuid.Zero ? "null" : $"\"{replica.DirectoryId}\"");
        if (quorum.Endpoints.TryGetValue(replica.ReplicaId, out var listeners) && listeners.Count > 0)
            text.Append(", \"endpoints\": [").Append(string.Join(", ", listeners.Select(l => $"\"{l}\""))).Append(']');
        return text.Append('}').ToString();
    }

    /// <summary>The replication table: columns padded to their widest cell, each cell followed by a tab.</summary>
    public static string Replication(QuorumDescription quorum)
    {
        long leaderEnd = quorum.Voters.FirstOrDefault(v => v.ReplicaId == quorum.LeaderId)?.LogEndOffset ?? 0;
        var rows = new List<string[]> { new[] { "NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status" } };
        IEnumerable<(QuorumReplica Replica, string Status)> ordered = quorum.Voters
            .Where(v => v.ReplicaId == quorum.LeaderId).Select(v => (v, "Leader"))
            .Concat(quorum.Voters.Where(v => v.ReplicaId != quorum.LeaderId).Select(v => (v, "Follower")))
            .Concat(quorum.Observers.Select(o => (o, "Observer")));
        foreach (var (replica, status) in ordered)
        {
            rows.Add([
                Number(replica.ReplicaId), replica.DirectoryId.ToString(), Number(replica.LogEndOffset), Number(leaderEnd - replica.LogEndOffset),
                Number(replica.LastFetchTimestampMs), Number(replica.LastCaughtUpTimestampMs), status,
            ]);
        }
        int[] widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++) text.Append(i < row.Length - 1 ? row[i].PadRight(widths[i]) : row[i]).Append('\t');
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
