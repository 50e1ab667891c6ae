using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>The leader's side of Fetch: validate against the epoch cache, serve batches, hold idle fetches.</summary>
public sealed partial class RaftReplica
{
    private long _parkedFetchesWakeAtMs = long.MaxValue;

    /// <summary>
    /// A follower's or observer's Fetch of the metadata partition (KIP-595). The leader checks the fetch's
    /// epoch, then the follower's log against its own epoch cache: a log that diverged gets DivergingEpoch
    /// (the end of the largest epoch both may share) and truncates; a matching one gets the batches from its
    /// fetch offset to the leader's log end, and the high watermark. A voter's fetch offset is its durable
    /// end, so it moves the high watermark; a fetch naming another disk than the voter's does not (KIP-853). A fetch that finds nothing new waits up to its MaxWaitMs.
    /// </summary>
    public void HandleFetch(RequestContext context, FetchRequest request, long nowMs, Effects effects)
    {
        RequireStarted();
        if (request.ClusterId is string clusterId && clusterId != _config.ClusterId)
        {
            effects.Respond(context, RaftMessages.FetchResponse(ErrorCode.InconsistentClusterId));
            return;
        }
        FetchRequest.FetchPartition? partition = RaftMessages.MetadataFetchPartition(request, context.ApiVersion);
        int replicaId = RaftMessages.FetchingReplicaId(request, context.ApiVersion);
        // Kafka's checks: an offset and epoch that cannot describe a log, or a peer claiming this node's id.
        if (partition is null || partition.FetchOffset < 0 || (partition.LastFetchedEpoch < 0 && partition.FetchOffset > 0) || replicaId == NodeId)
        {
            effects.Respond(context, RaftMessages.FetchResponse(ErrorCode.InvalidRequest));
            return;
        }
        if (_parkedFetches.TakeFrom(replicaId) is { } superseded) CompleteFetch(superseded, nowMs, effects, canPark: false, isNew: false);
        long waitMs = Math.Clamp(request.MaxWaitMs, 0, _config.QuorumRequestTimeoutMs);
        CompleteFetch(new ParkedFetch(context, request, replicaId, nowMs + waitMs), nowMs, effects, canPark: waitMs > 0, isNew: true);
    }

    /// <summary>Answers a fetch, or holds it when it would return nothing new and may wait (Kafka answers at once otherwise).</summary>
    private void CompleteFetch(ParkedFetch fetch, long nowMs, Effects effects, bool canPark, bool isNew)
    {
        long highWatermarkBefore = _highWatermark;
        FetchResponse.PartitionData answer = AnswerFetch(fetch, nowMs, effects, recordProgress: isNew);
        bool nothingNew = answer.ErrorCode == (short)ErrorCode.None && answer.DivergingEpoch is null && answer.SnapshotId is null && answer.Records is not { Length: > 0 };
        // A fetch that itself moved the high watermark is answered at once: its sender should learn of the commit.
        if (canPark && nothingNew && _highWatermark == highWatermarkBefore && _parkedFetches.TryPark(fetch)) return;
        effects.Respond(fetch.Context, RaftMessages.FetchResponse(answer, AddressOf(answer.CurrentLeader?.LeaderId)));
    }

    private FetchResponse.PartitionData AnswerFetch(ParkedFetch fetch, long nowMs, Effects effects, bool recordProgress)
    {
        FetchRequest.FetchPartition partition = RaftMessages.MetadataFetchPartition(fetch.Request, fetch.Context.ApiVersion)!;
        var answer = new FetchResponse.PartitionData
        {
            PartitionIndex = partition.Partition,
            HighWatermark = _highWatermark,
            LogStartOffset = _log.StartOffset,
            CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = CurrentLeaderAndEpoch.LeaderIdOrNone, LeaderEpoch = Epoch },
        };
        ErrorCode error = ValidateLeaderOnlyRequest(partition.CurrentLeaderEpoch);
        // KIP-853: the fetch counts as a voter's (check-quorum, the high watermark) only from the disk the
        // voter set names; the same id on a replaced disk is an observer that lost what the voter acknowledged.
        ReplicaKey fetcher = RaftMessages.FetchingReplica(fetch.Request, partition, fetch.Context.ApiVersion);
        bool fromVoter = _quorum.Voters.IsVoter(fetcher.NodeId, fetcher.DirectoryId);
        if (error == ErrorCode.None && recordProgress && fromVoter)
            ((LeaderState)_quorum.Current).RecordVoterContact(fetch.ReplicaId, nowMs);
        if (error != ErrorCode.None)
        {
            answer.ErrorCode = (short)error;
            return answer;
        }
        if (SnapshotNeededBy(partition.FetchOffset, partition.LastFetchedEpoch) is { } snapshot)
        {
            // KIP-630: the follower's log ends where this leader's no longer reaches; it fetches the latest snapshot.
            answer.SnapshotId = new FetchResponse.SnapshotId { EndOffset = snapshot.Offset, Epoch = snapshot.Epoch };
            return answer;
        }
        // Below the log start with no snapshot to offer cannot happen (the start moves only to a snapshot); refuse rather than guess.
        if (partition.FetchOffset < _log.StartOffset)
        {
            answer.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
            return answer;
        }
        LeaderEpochEnd epochEnd = _log.EndOffsetForEpoch(partition.LastFetchedEpoch);
        if (epochEnd.Epoch != partition.LastFetchedEpoch || epochEnd.EndOffset < partition.FetchOffset)
        {
            // Kafka's validateOffsetAndEpoch: the follower's log holds an epoch, or offsets in it, that this
            // leader's does not. Truncating to the end of the largest epoch both can share brings it back.
            answer.DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = epochEnd.Epoch, EndOffset = epochEnd.EndOffset };
            return answer;
        }
        if (recordProgress && fetch.ReplicaId >= 0 && _quorum.Current is LeaderState leader)
        {
            leader.RecordFetch(fetch.ReplicaId, fromVoter, partition.FetchOffset, nowMs, _log.EndOffset);
            MaybeAdvanceHighWatermark(leader, nowMs, effects);
            answer.HighWatermark = _highWatermark;
        }
        int maxBytes = Math.Min(Math.Min(fetch.Request.MaxBytes, partition.PartitionMaxBytes), RaftLimits.FetchBytesMax);
        if (partition.FetchOffset < _log.EndOffset) answer.Records = _log.Read(partition.FetchOffset, Math.Max(maxBytes, 1));
        return answer;
    }

    /// <summary>
    /// Kafka's <c>validateLeaderOnlyRequest</c>: a fetch from an older epoch is fenced, one from a newer epoch
    /// this replica has not seen is unknown, and only the leader serves. The answer names the leader either way.
    /// </summary>
    private ErrorCode ValidateLeaderOnlyRequest(int requestEpoch)
    {
        if (requestEpoch < Epoch) return ErrorCode.FencedLeaderEpoch;
        if (requestEpoch > Epoch) return ErrorCode.UnknownLeaderEpoch;
        return _quorum.Current is LeaderState ? ErrorCode.None : ErrorCode.NotLeaderOrFollower;
    }

    /// <summary>
    /// New batches were appended in this step; storage shows them from the next step on, so the held fetches
    /// are answered at the next <see cref="Tick"/>, which <see cref="NextDeadlineMs"/> asks for at once.
    /// </summary>
    private void WakeParkedFetches(long nowMs)
    {
        if (_parkedFetches.Count > 0) _parkedFetchesWakeAtMs = Math.Min(_parkedFetchesWakeAtMs, nowMs);
    }

    private void ServeParkedFetches(long nowMs, Effects effects)
    {
        if (_parkedFetchesWakeAtMs <= nowMs)
        {
            AnswerAllParkedFetches(nowMs, effects);
            return;
        }
        foreach (ParkedFetch expired in _parkedFetches.TakeExpired(nowMs)) CompleteFetch(expired, nowMs, effects, canPark: false, isNew: false);
    }

    /// <summary>Answers every held fetch with what there is now (new data, a new high watermark, or a new leader).</summary>
    private void AnswerAllParkedFetches(long nowMs, Effects effects)
    {
        _parkedFetchesWakeAtMs = long.MaxValue;
        foreach (ParkedFetch parked in _parkedFetches.TakeAll()) CompleteFetch(parked, nowMs, effects, canPark: false, isNew: false);
    }
}
