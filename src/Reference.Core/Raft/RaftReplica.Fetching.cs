using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>
/// The follower's and observer's side of Fetch: pull from the leader, truncate on divergence, append,
/// flush, and learn the high watermark. An unattached observer fetches from the voters in turn to find the leader.
/// </summary>
public sealed partial class RaftReplica
{
    private long _nextFetchAtMs = long.MaxValue;
    private int _discoveryTurn;

    /// <summary>
    /// A voter's fetch offset tells the leader what it holds durably, and the high watermark counts on it;
    /// so a voter with unflushed batches does not fetch until <see cref="OnLogFlushed"/> says they are on disk.
    /// An observer does not count, and goes on at once.
    /// </summary>
    private bool IsFetchWaitingForFlush => IsVoter && _log.DurableEndOffset < _log.EndOffset;

    /// <summary>Sends the next fetch when one is due, none is in flight, and the log it reports is durable.</summary>
    private void MaybeSendFetch(long nowMs, Effects effects)
    {
        if (_nextFetchAtMs > nowMs || IsFetchWaitingForFlush || _pending.Any(RaftRequestKind.Fetch) || _pending.Any(RaftRequestKind.FetchSnapshot)) return;
        if (_quorum.Current is FollowerState { FetchingSnapshot: { } fetcher } fetching)
        {
            // KIP-630: while a snapshot downloads, FetchSnapshot replaces Fetch; once written, both wait for its
            // flush, whose answer installs it and fetches again (no timer meanwhile).
            if (fetcher.IsAwaitingFlush) _nextFetchAtMs = long.MaxValue;
            else SendFetchSnapshot(fetching.Leader, fetcher, nowMs, effects);
            return;
        }
        int? target = _quorum.Current switch
        {
            FollowerState follower => follower.Leader,
            UnattachedState when !IsVoter => NextVoterToAskForLeader(),
            _ => null,
        };
        if (target is not int toNodeId) return;
        _nextFetchAtMs = long.MaxValue;
        FetchRequest request = RaftMessages.FetchRequest(_config.ClusterId, NodeId, Epoch, _log.EndOffset, _log.LastEpoch, _log.StartOffset, DirectoryId);
        SendRequest(toNodeId, RaftRequestKind.Fetch, RaftMessages.FetchVersion, request, nowMs, effects);
    }

    /// <summary>
    /// Observers ask each voter in turn; any of them names the leader in its answer. A listed voter on a
    /// replaced disk is an observer too, and skips its own id; with no other voter there is no one to ask.
    /// </summary>
    private int? NextVoterToAskForLeader()
    {
        List<int> others = _quorum.Voters.Ids.Where(id => id != NodeId).ToList();
        if (others.Count == 0) return null;
        _discoveryTurn = (_discoveryTurn + 1) % others.Count;
        return others[_discoveryTurn];
    }

    private void RetryFetchLater(long nowMs) => _nextFetchAtMs = nowMs + _config.QuorumRetryBackoffMs;

    /// <summary>
    /// The leader's answer. A newer epoch or leader it names comes first. Then a successful answer restarts
    /// the fetch timer; a DivergingEpoch truncates the log and fetches again at once; batches are appended,
    /// and the next fetch goes once they are flushed (<see cref="IsFetchWaitingForFlush"/>).
    /// </summary>
    private void OnFetchResponse(PendingRequest request, FetchResponse response, long nowMs, Effects effects)
    {
        FetchResponse.PartitionData? partition = RaftMessages.MetadataFetchPartition(response);
        if ((ErrorCode)response.ErrorCode != ErrorCode.None || partition is null)
        {
            RetryFetchLater(nowMs);
            return;
        }
        if (partition.CurrentLeader is { } named && MaybeFollowNewerLeader(named.LeaderId, named.LeaderEpoch, nowMs, effects)) return;
        if (_quorum.Current is not FollowerState follower || follower.Leader != request.ToNodeId || (ErrorCode)partition.ErrorCode != ErrorCode.None)
        {
            RetryFetchLater(nowMs);
            return;
        }
        follower.OnFetchSucceeded(nowMs);
        if (partition.SnapshotId is { } snapshot && (snapshot.EndOffset >= 0 || snapshot.Epoch >= 0))
        {
            StartSnapshotFetch(follower, snapshot, nowMs, effects);
            return;
        }
        if (partition.DivergingEpoch is { } diverging && (diverging.Epoch >= 0 || diverging.EndOffset >= 0))
        {
            TruncateToDivergence(diverging, nowMs, effects);
            MaybeSendFetch(nowMs, effects);
            return;
        }
        int appended = partition.Records is { } records ? _log.AppendAsFollower(records, Epoch, effects) : 0;
        // A follower's high watermark is the leader's, as far as its own log reaches.
        _highWatermark = Math.Max(_highWatermark, Math.Min(partition.HighWatermark, _log.EndOffset));
        _nextFetchAtMs = nowMs;
        MaybeSendFetch(nowMs, effects);
    }

    /// <summary>
    /// Truncates to the smaller of the leader's end of the diverging epoch and this log's own end of it
    /// (Kafka's <c>truncateToEndOffset</c>). Committed entries are never truncated: every leader holds them
    /// (Raft §5.4, Leader Completeness), so a request to go below the high watermark is a broken invariant.
    /// </summary>
    private void TruncateToDivergence(FetchResponse.EpochEndOffset diverging, long nowMs, Effects effects)
    {
        long target = Math.Min(_log.EndOffsetForEpoch(diverging.Epoch).EndOffset, Math.Max(diverging.EndOffset, 0));
        if (target < _highWatermark)
            throw new InvalidOperationException($"the leader asks to truncate to {target}, below the high watermark {_highWatermark}");
        long before = _log.EndOffset;
        if (_log.TruncateTo(target, effects) < before) _nextFetchAtMs = nowMs;
        else RetryFetchLater(nowMs); // nothing to cut: ask again after a pause rather than in a tight loop
    }

    /// <summary>A follower's flush: a voter that was waiting to report a durable end offset fetches now.</summary>
    private void OnFollowerLogFlushed(long nowMs, Effects effects) => MaybeSendFetch(nowMs, effects);
}
