using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Records;
using Reference.Simulation.Monitors;
using Reference.Simulation.Storage;

namespace Reference.Spec.Raft;

/// <summary>
/// Kafka's <c>ConsistentCommittedData</c> (RaftEventSimulationTest, checked there at the end of a run; here
/// after every event), which is Raft's Log Matching and State Machine Safety properties (Figure 3) stated on
/// the committed prefix: every batch of <c>__cluster_metadata</c> below a replica's high watermark is, on
/// every replica and forever, the same batch — same offsets, same leader epoch, same CRC-32C (which covers
/// every byte after it, so equal headers and CRCs mean equal batches).
/// <para>
/// The first replica to commit a batch fixes it; every other replica's committed batches are compared with
/// that. Each replica is checked incrementally, from where its last check stopped, reading at most
/// <see cref="ReadBytesPerCheckMax"/> per check, so a check costs what the event committed, not the log's
/// size. A restart starts the replica's check over (its high watermark starts at 0, or at its latest snapshot,
/// and climbs back); batches below the log start are not read, a snapshot covers them (KIP-630).
/// </para>
/// <para>
/// Also, Raft's Leader Append-Only and KIP-595's divergence rule seen from a follower: a replica never
/// truncates its metadata log below the high watermark it had reached (only an uncommitted tail may be cut).
/// The truncations it sees are counted as <see cref="RaftGoals.LogTruncated"/>.
/// </para>
/// A disk whose rotted batch fails its CRC on read is skipped until the node detects it and restarts; the
/// node's recovery, not this monitor, is the subject there. Memory: one entry per committed batch.
/// </summary>
public sealed class ConsistentCommittedData : RaftMonitor
{
    /// <summary>Bytes read per replica per check at most; the rest waits for the next event.</summary>
    public const int ReadBytesPerCheckMax = 64 * 1024;

    private readonly SortedDictionary<long, CommittedBatch> _committed = new();
    private readonly NodeTable<Progress> _progress = new();
    private readonly JudgedReadings _judged = new();

    public override string Name => "ConsistentCommittedData";

    public override IReadOnlyList<string> SometimesGoals => [RaftGoals.LogTruncated];

    /// <summary>Committed batches seen so far (a test can tell a vacuous run from a real one).</summary>
    public int CommittedBatchCount => _committed.Count;

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        if (CheckTruncation(observation, coverage) is { } truncation) return truncation;
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (node.Replica is not ReplicaReading replica) continue;
            long? diskChanges = (node.Storage as MemoryLogStorage)?.Changes;
            if (NothingNewToCheck(node, diskChanges)) continue;
            LogExtent metadataLog = node.MetadataLog;
            long diskEnd = metadataLog.EndOffset;
            // Between steps a running replica's log mirrors its disk (a step cut short by a crash is never
            // observed with the node still running).
            if (replica.LogEndOffset != diskEnd)
                return Violation($"node {node.NodeId}'s metadata log ends at {replica.LogEndOffset} in memory but at {diskEnd} on disk");
            if (!_progress.TryGetValue(node.NodeId, out Progress progress) || progress.Incarnation != node.Incarnation)
                progress = new Progress(node.Incarnation, 0, 0);
            progress = progress with { HighWatermark = replica.HighWatermark, DiskChanges = diskChanges };
            if (CheckNode(node, metadataLog.StartOffset, ref progress) is { } violation) return violation;
            _progress.Set(node.NodeId, progress);
            _judged.Judged(node);
        }
        return null;
    }

    /// <summary>
    /// Whether checking the node again would find what the last check found: the same reading (its replica's
    /// offsets, its run), a disk that has not changed since (<see cref="MemoryLogStorage.Changes"/>; a disk of
    /// another kind is always read) and every committed batch compared already. Most events step one node and
    /// leave the others so.
    /// </summary>
    private bool NothingNewToCheck(RaftNodeReading node, long? diskChanges) =>
        diskChanges is not null && _judged.AlreadyJudged(node) && _progress.TryGetValue(node.NodeId, out Progress progress)
        && progress.DiskChanges == diskChanges && progress.CheckedUpTo >= progress.HighWatermark;

    private MonitorViolation? CheckTruncation(RaftObservation observation, Coverage coverage)
    {
        if (observation.LastEvent is not SimulationEvent.InputDelivered step) return null;
        foreach (NodeEffect effect in step.EffectSpan)
        {
            if (effect is not NodeEffect.TruncateLog truncate || truncate.Log != TopicPartition.ClusterMetadata) continue;
            coverage.Reached(RaftGoals.LogTruncated);
            RaftNodeReading node = observation.Nodes.Single(n => n.NodeId == step.NodeId);
            if (_progress.TryGetValue(step.NodeId, out Progress before) && before.Incarnation == node.Incarnation && truncate.EndOffset < before.HighWatermark)
                return Violation($"node {step.NodeId} truncated its metadata log to {truncate.EndOffset}, below its high watermark {before.HighWatermark}");
        }
        return null;
    }

    private MonitorViolation? CheckNode(RaftNodeReading node, long logStartOffset, ref Progress progress)
    {
        int bytesRead = 0;
        // Below the log start a snapshot stands for the batches (KIP-630; SnapshotAtLogStart checks it is there).
        progress = progress with { CheckedUpTo = Math.Max(progress.CheckedUpTo, logStartOffset) };
        while (progress.CheckedUpTo < progress.HighWatermark && bytesRead < ReadBytesPerCheckMax)
        {
            ReadOnlyMemory<byte> batches;
            try
            {
                batches = node.Storage.Read(TopicPartition.ClusterMetadata, progress.CheckedUpTo, progress.HighWatermark, ReadBytesPerCheckMax - bytesRead);
            }
            catch (LogCorruptionException)
            {
                return null;
            }
            if (batches.IsEmpty)
                return Violation($"node {node.NodeId} has no batch at {progress.CheckedUpTo}, below its high watermark {progress.HighWatermark}");
            bytesRead += batches.Length;
            if (CompareBatches(node, batches, ref progress) is { } violation) return violation;
        }
        return null;
    }

    /// <summary>Each read returns at least one batch, so a check reads at most <see cref="ReadBytesPerCheckMax"/> plus one batch.</summary>
    private MonitorViolation? CompareBatches(RaftNodeReading node, ReadOnlyMemory<byte> batches, ref Progress progress)
    {
        var walker = new RecordBatchWalker(batches);
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchHeader header = batch.Header;
            var seen = new CommittedBatch(header.NextOffset, header.PartitionLeaderEpoch, header.Crc, node.NodeId);
            if (!_committed.TryGetValue(header.BaseOffset, out CommittedBatch first)) _committed[header.BaseOffset] = seen;
            else if (!first.SameBatch(seen))
                return Violation($"committed offset {header.BaseOffset} differs: node {first.FirstNodeId} holds {first}, node {node.NodeId} holds {seen}");
            progress = progress with { CheckedUpTo = header.NextOffset };
        }
        if (!walker.IsComplete) return Violation($"node {node.NodeId}'s committed metadata log does not frame at {progress.CheckedUpTo}: {walker.Stop}");
        return null;
    }

    /// <param name="HighWatermark">The replica's high watermark at the last check of this incarnation.</param>
    /// <param name="CheckedUpTo">Its committed batches below this offset were compared.</param>
    /// <param name="DiskChanges">The disk's change count at the last check, null when it has none.</param>
    private readonly record struct Progress(int Incarnation, long HighWatermark, long CheckedUpTo, long? DiskChanges = null);

    private readonly record struct CommittedBatch(long NextOffset, int LeaderEpoch, uint Crc, int FirstNodeId)
    {
        public bool SameBatch(CommittedBatch other) => NextOffset == other.NextOffset && LeaderEpoch == other.LeaderEpoch && Crc == other.Crc;

        public override string ToString() => $"a batch to {NextOffset} of epoch {LeaderEpoch}, CRC {Crc:x8}";
    }
}
