using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>The leader's side of KIP-630: which snapshot a fetch below the log start needs, and FetchSnapshot's chunks.</summary>
public sealed partial class RaftReplica
{
    /// <summary>
    /// Kafka's <c>KafkaMetadataLog.validateOffsetAndEpoch</c>, its snapshot half: a fetch at offset 0 of an
    /// untrimmed log is always fine; otherwise, once a snapshot exists, a fetch below the log start, at the log
    /// start in another epoch than the snapshot there, or from an epoch older than the earliest snapshot's, is
    /// told to fetch the latest snapshot instead. Null when the log can answer.
    /// </summary>
    private OffsetAndEpoch? SnapshotNeededBy(long fetchOffset, int lastFetchedEpoch)
    {
        if (_log.StartOffset == 0 && fetchOffset == 0) return null;
        if (_log.EarliestSnapshot is not { } earliest) return null;
        bool needsSnapshot = fetchOffset < _log.StartOffset
            || (fetchOffset == _log.StartOffset && lastFetchedEpoch != earliest.Epoch)
            || lastFetchedEpoch < earliest.Epoch;
        return needsSnapshot ? _log.LatestSnapshot : null;
    }

    /// <summary>
    /// FetchSnapshot (KIP-630), as Kafka's <c>handleFetchSnapshotRequest</c>: the cluster id must match, the request
    /// must name the metadata partition, the leader of the request's epoch answers; then the snapshot must be one
    /// this leader holds and that reads back intact (SNAPSHOT_NOT_FOUND), and the position inside it
    /// (POSITION_OUT_OF_RANGE). The answer is
    /// at most MaxBytes of the snapshot from the position, with the snapshot's size, so the follower knows when
    /// it has all of it. A voter's FetchSnapshot counts as contact for the leader's check-quorum, as a fetch does.
    /// </summary>
    public void HandleFetchSnapshot(RequestContext context, FetchSnapshotRequest request, long nowMs, Effects effects)
    {
        RequireStarted();
        if (request.ClusterId is string clusterId && clusterId != _config.ClusterId)
        {
            effects.Respond(context, SnapshotMessages.Response(ErrorCode.InconsistentClusterId));
            return;
        }
        if (SnapshotMessages.MetadataPartition(request) is not { } partition)
        {
            var unknown = new FetchSnapshotResponse.PartitionSnapshot { Index = request.Topics.FirstOrDefault()?.Partitions.FirstOrDefault()?.Partition ?? 0, ErrorCode = (short)ErrorCode.UnknownTopicOrPartition };
            effects.Respond(context, SnapshotMessages.Response(unknown, request.Topics.FirstOrDefault()?.Name ?? RaftLog.Partition.Topic, leaderAddress: null));
            return;
        }
        FetchSnapshotResponse.PartitionSnapshot answer = AnswerFetchSnapshot(request, partition, nowMs);
        effects.Respond(context, SnapshotMessages.Response(answer, RaftLog.Partition.Topic, AddressOf(answer.CurrentLeader?.LeaderId)));
    }

    private FetchSnapshotResponse.PartitionSnapshot AnswerFetchSnapshot(FetchSnapshotRequest request, FetchSnapshotRequest.PartitionSnapshot partition, long nowMs)
    {
        var snapshotId = new OffsetAndEpoch(partition.SnapshotId.EndOffset, partition.SnapshotId.Epoch);
        var answer = new FetchSnapshotResponse.PartitionSnapshot
        {
            Index = partition.Partition,
            SnapshotId = new FetchSnapshotResponse.SnapshotId { EndOffset = snapshotId.Offset, Epoch = snapshotId.Epoch },
            CurrentLeader = new FetchSnapshotResponse.LeaderIdAndEpoch { LeaderId = CurrentLeaderAndEpoch.LeaderIdOrNone, LeaderEpoch = Epoch },
        };
        ErrorCode error = ValidateLeaderOnlyRequest(partition.CurrentLeaderEpoch);
        if (error == ErrorCode.None && _quorum.Voters.Contains(request.ReplicaId))
            ((LeaderState)_quorum.Current).RecordVoterContact(request.ReplicaId, nowMs);
        if (error == ErrorCode.None && !_log.Snapshots.Contains(snapshotId)) error = ErrorCode.SnapshotNotFound;
        // A download starts at position 0: the whole snapshot is read back and checked (CRC, framing, header and
        // footer) first, so bytes rotted on this disk since the snapshot was written or loaded are never served.
        if (error == ErrorCode.None && partition.Position == 0 && !SnapshotFormat.Read(_log.ReadSnapshot(snapshotId)).IsValid) error = ErrorCode.SnapshotNotFound;
        long sizeBytes = error == ErrorCode.None ? _log.SnapshotSizeBytes(snapshotId) : 0;
        if (error == ErrorCode.None && (partition.Position < 0 || partition.Position >= sizeBytes)) error = ErrorCode.PositionOutOfRange;
        answer.ErrorCode = (short)error;
        if (error != ErrorCode.None) return answer;
        int maxBytes = Math.Clamp(request.MaxBytes, 1, RaftLimits.FetchBytesMax);
        answer.Size = sizeBytes;
        answer.Position = partition.Position;
        answer.UnalignedRecords = _log.ReadSnapshot(snapshotId, partition.Position, maxBytes);
        return answer;
    }
}
