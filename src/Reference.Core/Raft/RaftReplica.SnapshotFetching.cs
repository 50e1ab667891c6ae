using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>
/// The follower's side of KIP-630: the leader answered a Fetch with a SnapshotId, so the follower downloads
/// that snapshot with FetchSnapshot, chunk by chunk, writes it whole, and once a flush made it durable
/// installs it: the log is emptied to start at the snapshot (Kafka's <c>truncateToLatestSnapshot</c>), the high
/// watermark moves to it, and fetching resumes from there. The node then loads the snapshot into its image.
/// </summary>
public sealed partial class RaftReplica
{
    /// <summary>The leader named a snapshot to fetch: start downloading it unless this follower already holds it.</summary>
    private void StartSnapshotFetch(FollowerState follower, FetchResponse.SnapshotId named, long nowMs, Effects effects)
    {
        var snapshotId = new OffsetAndEpoch(named.EndOffset, named.Epoch);
        if (snapshotId.Offset <= 0 || snapshotId.Epoch < 0 || snapshotId.Offset < _highWatermark)
        {
            // Kafka fails such a response; a snapshot below what this follower has committed is no use to it.
            RetryFetchLater(nowMs);
            return;
        }
        if (_log.Snapshots.Contains(snapshotId))
        {
            InstallSnapshot(snapshotId, nowMs, effects);
            return;
        }
        follower.FetchingSnapshot = new SnapshotFetcher(snapshotId);
        _nextFetchAtMs = nowMs;
        MaybeSendFetch(nowMs, effects);
    }

    private void SendFetchSnapshot(int leaderId, SnapshotFetcher fetcher, long nowMs, Effects effects)
    {
        _nextFetchAtMs = long.MaxValue;
        FetchSnapshotRequest request = SnapshotMessages.Request(_config.ClusterId, NodeId, Epoch, fetcher.SnapshotId, fetcher.Position, RaftLimits.FetchBytesMax);
        SendRequest(leaderId, RaftRequestKind.FetchSnapshot, SnapshotMessages.FetchSnapshotVersion, request, nowMs, effects);
    }

    /// <summary>
    /// Kafka's <c>handleFetchSnapshotResponse</c>: a newer leader it names is followed; an error (the snapshot is
    /// gone, the position is out of range, the epoch moved) ends this download and the follower fetches again,
    /// which names the leader's current snapshot; a chunk is appended and the next one asked for; a complete
    /// snapshot that reads back intact is written, to be installed once durable.
    /// </summary>
    private void OnFetchSnapshotResponse(PendingRequest request, FetchSnapshotResponse response, long nowMs, Effects effects)
    {
        FetchSnapshotResponse.PartitionSnapshot? partition = SnapshotMessages.MetadataPartition(response);
        if ((ErrorCode)response.ErrorCode != ErrorCode.None || partition is null)
        {
            RetryFetchLater(nowMs);
            return;
        }
        if (partition.CurrentLeader is { } named && MaybeFollowNewerLeader(named.LeaderId, named.LeaderEpoch, nowMs, effects)) return;
        if (_quorum.Current is not FollowerState { FetchingSnapshot: { } fetcher } follower || follower.Leader != request.ToNodeId) return;
        if ((ErrorCode)partition.ErrorCode != ErrorCode.None
            || new OffsetAndEpoch(partition.SnapshotId.EndOffset, partition.SnapshotId.Epoch) != fetcher.SnapshotId
            || fetcher.Append(partition.Size, partition.Position, partition.UnalignedRecords.Span) is not null)
        {
            AbandonSnapshotFetch(follower, nowMs);
            return;
        }
        follower.OnFetchSucceeded(nowMs);
        if (!fetcher.IsComplete)
        {
            _nextFetchAtMs = nowMs;
            MaybeSendFetch(nowMs, effects);
            return;
        }
        if (!SnapshotFormat.Read(fetcher.Bytes).IsValid)
        {
            // Corrupted on the way or at the leader: never installed (Kafka's reader checks each batch's CRC).
            AbandonSnapshotFetch(follower, nowMs);
            return;
        }
        fetcher.IsAwaitingFlush = true;
        _log.WriteSnapshot(fetcher.SnapshotId, fetcher.Bytes, effects);
    }

    private void AbandonSnapshotFetch(FollowerState follower, long nowMs)
    {
        follower.FetchingSnapshot = null;
        RetryFetchLater(nowMs);
    }

    /// <summary>
    /// A flush made a fetched snapshot durable: install it and go back to fetching the log after it. A snapshot
    /// whose download finished in an earlier state (the follower moved on before the flush) is installed all the
    /// same when it lies past the log end: it is committed state, and a log that ends before its latest snapshot
    /// is what a restart would repair the same way (<see cref="RaftLog.AlignWithSnapshots"/>).
    /// </summary>
    private void InstallDurableFetchedSnapshot(long nowMs, Effects effects)
    {
        if (_quorum.Current is FollowerState { FetchingSnapshot: { IsAwaitingFlush: true } fetcher } follower && _log.Snapshots.Contains(fetcher.SnapshotId))
        {
            follower.FetchingSnapshot = null;
            InstallSnapshot(fetcher.SnapshotId, nowMs, effects);
        }
        else if (_quorum.Current is not LeaderState && _log.LatestSnapshot is { } latest && latest.Offset > _log.EndOffset)
        {
            InstallSnapshot(latest, nowMs, effects);
        }
    }

    /// <summary>
    /// Kafka's <c>truncateToLatestSnapshot</c>: a log that does not reach the snapshot, or holds only older epochs,
    /// is emptied to start at it; a log that holds it keeps its tail and only moves its start. Either way the
    /// snapshot is committed state, so the high watermark moves up to it.
    /// </summary>
    private void InstallSnapshot(OffsetAndEpoch snapshotId, long nowMs, Effects effects)
    {
        if (snapshotId.Offset < _highWatermark)
            throw new InvalidOperationException($"installing snapshot {snapshotId} would take the high watermark {_highWatermark} back");
        if (snapshotId.Epoch > _log.LastEpoch || snapshotId.Offset > _log.EndOffset) _log.TruncateFullyAndStartAt(snapshotId.Offset, effects);
        else _log.AdvanceStartTo(snapshotId.Offset, effects);
        foreach (OffsetAndEpoch older in _log.Snapshots.Where(id => id.Offset < snapshotId.Offset).ToList()) _log.DeleteSnapshot(older, effects);
        _highWatermark = snapshotId.Offset;
        SnapshotsInstalled++;
        _nextFetchAtMs = nowMs;
    }
}
