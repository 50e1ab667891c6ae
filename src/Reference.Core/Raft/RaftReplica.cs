using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>
/// This node's replica of the KRaft metadata log, <c>__cluster_metadata-0</c> (Kafka's <c>KafkaRaftClient</c>;
/// KIP-595 with KIP-996 pre-vote): elections by Vote, replication by followers' Fetch with
/// LastFetchedEpoch/DivergingEpoch truncation, a high watermark only a majority's durable logs can move.
/// The node drives it: <see cref="Start"/> once, then requests, responses, flushes and <see cref="Tick"/> at
/// <see cref="NextDeadlineMs"/>; it answers with effects and reads the log through <see cref="ILogStorage"/>.
/// </summary>
/// <remarks>
/// Files: this one holds the lifecycle and dispatch; <c>RaftReplica.Transitions</c> what happens on entering
/// each state; <c>.Elections</c> votes and pre-votes; <c>.Leadership</c> the leader's epoch, proposals and
/// high watermark; <c>.FetchServing</c> the leader's side of Fetch; <c>.Fetching</c> the follower's side;
/// <c>.QuorumAnnouncements</c> BeginQuorumEpoch and EndQuorumEpoch; <c>.DescribeQuorum</c> the admin view;
/// <c>.Snapshots</c>, <c>.SnapshotServing</c> and <c>.SnapshotFetching</c> KIP-630's snapshots and FetchSnapshot.
/// </remarks>
public sealed partial class RaftReplica : IControllerLocator
{
    private readonly NodeConfig _config;
    private readonly IPeerSender _peers;
    private readonly QuorumState _quorum;
    private readonly RaftLog _log;
    private readonly QuorumStateData? _persistedState;
    private readonly PendingRequests _pending = new();
    private readonly ParkedFetches _parkedFetches = new();
    private long _highWatermark;
    private bool _started;

    /// <param name="config">This node's id, the cluster id, the static voters and the quorum timeouts.</param>
    /// <param name="storage">The node's logs; this replica reads <c>__cluster_metadata-0</c> from it.</param>
    /// <param name="peers">How requests reach other nodes; answers come back through <see cref="HandleResponse"/>.</param>
    /// <param name="random">Election jitter comes from here and nowhere else.</param>
    /// <param name="persistedState">The last <see cref="NodeEffect.PersistQuorumState"/> that became durable, or null on a fresh disk.</param>
    public RaftReplica(NodeConfig config, ILogStorage storage, IPeerSender peers, IDeterministicRandom random, QuorumStateData? persistedState)
    {
        _config = config;
        _peers = peers;
        _persistedState = persistedState;
        _log = new RaftLog(storage);
        _quorum = new QuorumState(config.NodeId, storage.DirectoryId, VoterSet.From(config), config, random);
    }

    public int NodeId => _config.NodeId;

    /// <summary>
    /// Listed in <c>controller.quorum.voters</c>, on the storage the voter set names (KIP-853's replica key);
    /// an observer (a broker, or a voter on a replaced disk) only replicates.
    /// </summary>
    public bool IsVoter => _quorum.IsVoter;

    /// <summary>The directory id of the storage this replica runs on (meta.properties' <c>directory.id</c>).</summary>
    public Protocol.Primitives.Uuid DirectoryId => _quorum.LocalDirectoryId;

    /// <summary>
    /// Why a node listed as a voter does not act as one, for operators and tools; null when it does, or when it
    /// is not listed at all. The cure is an operator's: re-admit the node under its new directory id.
    /// </summary>
    public string? NotVotingReason => _quorum.Voters.Contains(NodeId) && !IsVoter
        ? $"node {NodeId} is a voter with directory id {_quorum.Voters.DirectoryIdOf(NodeId)} in controller.quorum.voters, but its metadata " +
          $"storage has directory id {DirectoryId}: the disk was replaced or re-formatted and lost what the voter acknowledged and voted, " +
          "so this node neither votes nor stands and follows as an observer until it is re-admitted under the new directory id"
        : null;

    public QuorumStateKind State => _quorum.Current.Kind;

    public int Epoch => _quorum.Epoch;

    /// <summary>
    /// The leader of the current epoch as far as this replica knows: itself while leading or resigning, the
    /// leader a prospective last followed. For routing requests use <see cref="ActiveControllerId"/>.
    /// </summary>
    public int? LeaderId => _quorum.Current.LeaderId;

    public bool IsLeader => _quorum.Current is LeaderState;

    /// <summary>The node to send controller requests to: the leader while it leads and is followed; null in between.</summary>
    public int? ActiveControllerId => _quorum.Current switch
    {
        LeaderState => NodeId,
        FollowerState follower => follower.Leader,
        _ => null,
    };

    /// <summary>
    /// Everything below this offset is committed: on a majority of voters' stable storage, with an entry of
    /// its leader's epoch among it. Never decreases while the replica runs; starts at 0 after a restart.
    /// </summary>
    public long HighWatermark => _highWatermark;

    /// <summary>One past the last offset in this replica's log, durable or not.</summary>
    public long LogEndOffset => _log.EndOffset;

    /// <summary>While leading: the log end when it won the election, before its own epoch's first entry (KIP-595's epoch start offset); null otherwise.</summary>
    public long? LeaderEpochStartOffset => _quorum.Current is LeaderState leader ? leader.EpochStartOffset : null;

    /// <summary>
    /// KIP-996's evidence that the leader lives, as this replica holds it: while it follows a leader it has
    /// fetched from since it began following, and that has not resigned, the time its fetch timeout fires
    /// (fetch.timeout.ms after its last successful fetch); null otherwise. A follower with such evidence
    /// refuses pre-votes (<see cref="FollowerState.CanGrantVote"/>). spec/'s LeaderNotDisrupted reads it.
    /// </summary>
    public long? LeaderAliveUntilMs => _quorum.Current is FollowerState { HasFetchedFromLeader: true, HasLeaderResigned: false } follower
        ? follower.FetchDeadlineMs
        : null;

    /// <summary>One past the last offset of this replica's log known to be on stable storage.</summary>
    public long DurableEndOffset => _log.DurableEndOffset;

    /// <summary>When <see cref="Tick"/> has something to do: a timer, a retry, a held fetch, a request gone overdue.</summary>
    public long NextDeadlineMs
    {
        get
        {
            if (!_started) return long.MaxValue;
            long next = Math.Min(_quorum.Current.DeadlineMs, _pending.NextDeadlineMs);
            next = Math.Min(next, Math.Min(_parkedFetches.NextDeadlineMs, _parkedFetchesWakeAtMs));
            if (!IsFetchWaitingForFlush) next = Math.Min(next, _nextFetchAtMs);
            return Math.Min(next, VoterRequestsOfCurrentState()?.NextSendAtMs ?? long.MaxValue);
        }
    }

    /// <summary>
    /// Call once, on <see cref="NodeInput.Started"/>: reads the log's extent and epoch cache from storage,
    /// restores the persisted quorum state, and starts the state's work. A sole voter elects itself here.
    /// </summary>
    public void Start(long nowMs, Effects effects)
    {
        if (_started) throw new InvalidOperationException("the Raft replica is started once; a restart builds a new one");
        _started = true;
        _log.Load();
        if (!_log.AlignWithSnapshots(effects))
            throw new InvalidOperationException($"the metadata log starts at {_log.StartOffset} but no intact snapshot is there: the state below it is lost");
        // A snapshot is committed state (KIP-630): the high watermark starts at the latest one, not at 0.
        _highWatermark = _log.LatestSnapshot?.Offset ?? 0;
        // What storage recovered may not be on stable storage yet: ask, before a vote or a fetch relies on it.
        if (_log.DurableEndOffset < _log.EndOffset) effects.Add(new NodeEffect.FlushLog(RaftLog.Partition));
        _quorum.Initialize(_persistedState, _log.LastEpoch, nowMs, effects);
        EnterState(previous: null, nowMs, effects);
        if (IsVoter && _quorum.Voters.Count == 1) StandAsSoleVoter(nowMs, effects);
    }

    /// <summary>A quorum of one needs no one's vote: it leads from the moment it starts (a restored candidacy wins at once too).</summary>
    private void StandAsSoleVoter(long nowMs, Effects effects)
    {
        if (_quorum.Current is CandidateState { Election.IsWon: true }) BecomeLeader(nowMs, effects);
        else if (_quorum.Current is not LeaderState) BecomeProspective(nowMs, effects);
    }

    /// <summary>Call on <see cref="NodeInput.TimeAdvanced"/> (at least by <see cref="NextDeadlineMs"/>).</summary>
    public void Tick(long nowMs, Effects effects)
    {
        RequireStarted();
        foreach (PendingRequest overdue in _pending.TakeExpired(nowMs)) OnRequestFailed(overdue, nowMs, effects);
        if (nowMs >= _quorum.Current.DeadlineMs) OnStateTimerExpired(nowMs, effects);
        if (_quorum.Current is LeaderState) ServeParkedFetches(nowMs, effects);
        SendDueVoterRequests(nowMs, effects);
        MaybeSendFetch(nowMs, effects);
    }

    /// <summary>Call on <see cref="NodeInput.LogFlushed"/> for <c>__cluster_metadata-0</c>.</summary>
    public void OnLogFlushed(long durableEndOffset, long nowMs, Effects effects)
    {
        RequireStarted();
        _log.OnFlushed(durableEndOffset);
        InstallDurableFetchedSnapshot(nowMs, effects);
        MaybeDeleteBeforeSnapshot(nowMs, effects);
        if (_quorum.Current is LeaderState leader)
        {
            leader.RecordLocalFlush(_log.DurableEndOffset, nowMs);
            MaybeAdvanceHighWatermark(leader, nowMs, effects);
        }
        else OnFollowerLogFlushed(nowMs, effects);
    }

    /// <summary>Call on <see cref="NodeInput.ConnectionClosed"/>: fetches held for that connection are dropped.</summary>
    public void OnConnectionClosed(ConnectionId connection) => _parkedFetches.DropConnection(connection);

    /// <summary>
    /// Handles a KRaft request this replica owns (Vote, BeginQuorumEpoch, EndQuorumEpoch, DescribeQuorum, and
    /// Fetch of the metadata partition); returns false for any other body, which the node routes elsewhere.
    /// </summary>
    public bool HandleRequest(RequestContext context, IRequestBody body, long nowMs, Effects effects)
    {
        switch (body)
        {
            case VoteRequest vote: HandleVote(context, vote, nowMs, effects); return true;
            case BeginQuorumEpochRequest begin: HandleBeginQuorumEpoch(context, begin, nowMs, effects); return true;
            case EndQuorumEpochRequest end: HandleEndQuorumEpoch(context, end, nowMs, effects); return true;
            case DescribeQuorumRequest describe: HandleDescribeQuorum(context, describe, nowMs, effects); return true;
            case FetchRequest fetch when IsMetadataFetch(fetch, context.ApiVersion): HandleFetch(context, fetch, nowMs, effects); return true;
            case FetchSnapshotRequest fetchSnapshot: HandleFetchSnapshot(context, fetchSnapshot, nowMs, effects); return true;
            default: return false;
        }
    }

    /// <summary>Whether a fetch reads the metadata partition (this replica's) rather than a data partition.</summary>
    public static bool IsMetadataFetch(FetchRequest request, short version) => RaftMessages.MetadataFetchPartition(request, version) is not null;

    /// <summary>An answer to a request this replica sent through <see cref="IPeerSender"/>.</summary>
    public void HandleResponse(int fromNodeId, int correlationId, IResponseBody body, long nowMs, Effects effects)
    {
        RequireStarted();
        // A state forgets its requests when it ends, so an answer to an older state's request is dropped here.
        if (!_pending.TryTake(correlationId, fromNodeId, out PendingRequest request)) return;
        switch (request.Kind, body)
        {
            case (RaftRequestKind.PreVote or RaftRequestKind.Vote, VoteResponse vote): OnVoteResponse(request, vote, nowMs, effects); break;
            case (RaftRequestKind.BeginQuorumEpoch, BeginQuorumEpochResponse begin): OnBeginQuorumEpochResponse(request, begin, nowMs, effects); break;
            case (RaftRequestKind.EndQuorumEpoch, EndQuorumEpochResponse end): OnEndQuorumEpochResponse(request, end, nowMs, effects); break;
            case (RaftRequestKind.Fetch, FetchResponse fetch): OnFetchResponse(request, fetch, nowMs, effects); break;
            case (RaftRequestKind.FetchSnapshot, FetchSnapshotResponse fetchSnapshot): OnFetchSnapshotResponse(request, fetchSnapshot, nowMs, effects); break;
            default: throw new InvalidOperationException($"a {body.ApiKey} answer was routed to a {request.Kind} request");
        }
    }

    /// <summary>A request this replica sent will get no answer (refused, lost, or timed out by the shell).</summary>
    public void HandleRequestFailed(int toNodeId, int correlationId, long nowMs, Effects effects)
    {
        RequireStarted();
        if (_pending.TryTake(correlationId, toNodeId, out PendingRequest request)) OnRequestFailed(request, nowMs, effects);
    }

    private void OnRequestFailed(PendingRequest request, long nowMs, Effects effects)
    {
        long retryAtMs = nowMs + _config.QuorumRetryBackoffMs;
        if (request.Kind is RaftRequestKind.Fetch or RaftRequestKind.FetchSnapshot) RetryFetchLater(nowMs);
        else VoterRequestsOfCurrentState()?.Failed(request.ToNodeId, retryAtMs);
    }

    private void OnStateTimerExpired(long nowMs, Effects effects)
    {
        switch (_quorum.Current)
        {
            case LeaderState leader:
                // Check-quorum: no majority fetched for 1.5 fetch timeouts, so this leader may be cut off.
                BecomeResigned(leader.PreferredSuccessors(), nowMs, effects);
                break;
            case FollowerState when !IsVoter:
                BecomeUnattached(Epoch, nowMs, effects);
                break;
            case ProspectiveState:
                OnPreVoteLost(nowMs, effects);
                break;
            default:
                BecomeProspective(nowMs, effects);
                break;
        }
    }

    /// <summary>The per-voter requests the current state is sending, if it sends any.</summary>
    private VoterRequestTracker? VoterRequestsOfCurrentState() => _quorum.Current switch
    {
        ProspectiveState prospective => prospective.PreVoteRequests,
        CandidateState candidate => candidate.VoteRequests,
        LeaderState leader => leader.BeginQuorumEpochRequests,
        ResignedState resigned => resigned.EndQuorumEpochRequests,
        _ => null,
    };

    private void SendRequest(int toNodeId, RaftRequestKind kind, short version, IRequestBody body, long nowMs, Effects effects)
    {
        if (toNodeId == NodeId) throw new InvalidOperationException($"a {kind} request addressed to this replica itself");
        int correlationId = _peers.Send(toNodeId, version, body, effects);
        _pending.Add(new PendingRequest(correlationId, toNodeId, kind, nowMs + _config.QuorumRequestTimeoutMs));
    }

    private LeaderAndEpoch CurrentLeaderAndEpoch => new(_quorum.Current.LeaderId, Epoch);

    private VoterAddress? AddressOf(int? nodeId) => nodeId is int id ? _config.Voters.FirstOrDefault(voter => voter.NodeId == id) : null;

    private void RequireStarted()
    {
        if (!_started) throw new InvalidOperationException("the Raft replica is used before Start");
    }
}
