using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Replication;

/// <summary>
/// The data plane of one node (Kafka's <c>ReplicaManager</c>): the partitions it hosts, as leader or
/// follower, and the client and replica requests on them: Produce, Fetch, ListOffsets, DeleteRecords and
/// OffsetForLeaderEpoch; plus the node's own appends (<see cref="IPartitionAppender"/>), ISR upkeep through
/// AlterPartition, and retention. Pure: time comes in as <c>nowMs</c>, disk writes leave as effects, reads
/// go through <see cref="ILogStorage"/>, and everything that reaches an effect is iterated in a fixed order.
/// </summary>
/// <remarks>
/// The node calls <see cref="Start"/> once, then <see cref="ApplyPartitions"/> whenever the committed
/// metadata changes what this node hosts, the <c>Handle…</c> methods for requests, <see cref="Tick"/> when
/// <see cref="NextDeadlineMs"/> is due, and the <c>On…</c> notifications. As a follower it fetches from each
/// partition's leader (<see cref="ReplicaFetcher"/>). Not implemented yet: transactions, compaction, fetch
/// sessions, and a follower starting over at the leader's log start when it has fallen below it.
/// </remarks>
public sealed class HostedPartitions : IPartitionAppender
{
    /// <summary>How long the node's own appends wait for their acks (Kafka's offsets.commit.timeout.ms).</summary>
    public const long InternalAppendTimeoutMs = 5000;

    private readonly NodeConfig _config;
    private readonly ILogStorage _storage;
    private readonly PartitionTable _table = new();
    private readonly ProducePurgatory _produces = new();
    private readonly FetchPurgatory _fetches = new();
    private readonly IsrChangeSender _isrChanges;
    private readonly PartitionProgress _progress;
    private readonly ProduceHandler _produce;
    private readonly FetchHandler _fetch;
    private readonly ListOffsetsHandler _listOffsets;
    private readonly DeleteRecordsHandler _deleteRecords;
    private readonly OffsetForLeaderEpochHandler _offsetForLeaderEpoch;
    private readonly ReplicaFetcher _fetcher;
    private bool _started;
    private long _lastNowMs;
    private long _nextRetentionCheckMs = long.MaxValue;
    private long _nextIsrCheckMs = long.MaxValue;

    /// <param name="brokerEpoch">This broker's current epoch from its registration (-1 before), sent in AlterPartition.</param>
    public HostedPartitions(NodeConfig config, ILogStorage storage, IPeerSender peers, IControllerLocator controllers, Func<long> brokerEpoch)
    {
        _config = config;
        _storage = storage;
        _isrChanges = new IsrChangeSender(config.NodeId, peers, controllers, brokerEpoch);
        _progress = new PartitionProgress(config, _table, _produces, _fetches, _isrChanges);
        _produce = new ProduceHandler(_table, _produces, _progress, config.FlushBeforeAcknowledge);
        _fetch = new FetchHandler(new FetchReader(_table, storage, _progress), _fetches);
        _listOffsets = new ListOffsetsHandler(_table, storage);
        _deleteRecords = new DeleteRecordsHandler(_table);
        _offsetForLeaderEpoch = new OffsetForLeaderEpochHandler(_table);
        _fetcher = new ReplicaFetcher(config, _table, storage, peers, brokerEpoch, _progress);
    }

    /// <summary>How often ISR membership is checked (Kafka's isr-expiration task: replica.lag.time.max.ms / 2).</summary>
    public long IsrCheckIntervalMs => Math.Max(1, _config.ReplicaLagTimeMaxMs / 2);

    /// <summary>The earliest time <see cref="Tick"/> has work; long.MaxValue when none. Can be now (a parked fetch to re-read).</summary>
    public long NextDeadlineMs
    {
        get
        {
            if (!_started) return long.MaxValue;
            long next = Math.Min(Math.Min(_nextRetentionCheckMs, _nextIsrCheckMs), Math.Min(_produces.NextDeadlineMs, _fetches.NextDeadlineMs));
            next = Math.Min(next, _fetcher.NextDeadlineMs);
            return _fetches.HasAdvanced ? Math.Min(next, _lastNowMs) : next;
        }
    }

    /// <summary>On (re)start, before anything else: loads the logs the storage holds, unassigned until <see cref="ApplyPartitions"/>.</summary>
    public void Start(long nowMs, Effects effects)
    {
        Invariant.Require(!_started);
        _started = true;
        _lastNowMs = nowMs;
        foreach (Partition partition in PartitionLoader.Load(_storage, _config)) _table.Add(partition);
        _nextRetentionCheckMs = nowMs + _config.LogRetentionCheckIntervalMs;
        _nextIsrCheckMs = nowMs + IsrCheckIntervalMs;
    }

    /// <summary>
    /// Makes this node host exactly <paramref name="hosted"/>, which must be every partition the committed
    /// metadata places on it: each becomes leader or follower as assigned (new ones start empty), a topic
    /// id that changed under the same name means the old log is deleted first, and a log hosted before
    /// (or found on storage at start) that is missing from the list is deleted. So call it only from a
    /// caught-up metadata image, never a partial one. With <paramref name="onlyTopics"/> (Kafka's applyDelta),
    /// the list covers just those topics and partitions of other topics are left as they are.
    /// </summary>
    public void ApplyPartitions(IReadOnlyList<PartitionAssignment> hosted, long nowMs, Effects effects, IReadOnlySet<string>? onlyTopics = null)
    {
        Invariant.Require(_started);
        _lastNowMs = nowMs;
        var assigned = new SortedDictionary<TopicPartition, PartitionAssignment>();
        foreach (PartitionAssignment assignment in hosted)
        {
            Invariant.Require(assignment.Partition != TopicPartition.ClusterMetadata);
            Invariant.Require(onlyTopics is null || onlyTopics.Contains(assignment.Partition.Topic));
            assigned[assignment.Partition] = assignment;
        }
        foreach (Partition gone in _table.All.Where(partition => (onlyTopics is null || onlyTopics.Contains(partition.Name.Topic)) && !assigned.ContainsKey(partition.Name)).ToList())
            Delete(gone, effects);
        foreach (PartitionAssignment assignment in assigned.Values)
        {
            Partition? partition = _table.Get(assignment.Partition);
            if (partition is not null && partition.TopicId != Uuid.Zero && partition.TopicId != assignment.TopicId)
            {
                Delete(partition, effects);
                partition = null;
            }
            if (partition is null) _table.Add(partition = PartitionLoader.Empty(assignment.Partition, _config, assignment.Config));
            if (!partition.Apply(assignment, nowMs)) continue;
            // A new leader may take over a tail nobody flushed (a restart without a crash): under
            // FlushBeforeAcknowledge its HW can only reach that tail once it is durable.
            if (_config.FlushBeforeAcknowledge && partition.IsLeader) partition.Log.RequestFlush(effects);
            _progress.OnChanged(partition, nowMs, effects);
        }
        _table.ReindexTopicIds();
        _fetcher.MaybeSendFetches(nowMs, effects); // a partition that became a follower starts fetching from its leader
    }

    /// <summary>Produce v3-v9. With acks=0 no answer is ever given; see <see cref="ExpectsResponse"/>.</summary>
    public void HandleProduce(RequestContext context, ProduceRequest request, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        _produce.Handle(context, request, nowMs, effects);
    }

    /// <summary>
    /// False for acks=0: the request is finished when <see cref="HandleProduce"/> returns, without a
    /// Respond (after an error there is a CloseConnection instead), and the shell may read the next one.
    /// </summary>
    public static bool ExpectsResponse(ProduceRequest request) => request.Acks != 0;

    /// <summary>Fetch v4-v17 from consumers and followers (not for __cluster_metadata, which is Raft's).</summary>
    public void HandleFetch(RequestContext context, FetchRequest request, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        _fetch.Handle(context, request, nowMs, effects);
    }

    /// <summary>ListOffsets v1-v6.</summary>
    public void HandleListOffsets(RequestContext context, ListOffsetsRequest request, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        _listOffsets.Handle(context, request, effects);
    }

    /// <summary>DeleteRecords v0-v2.</summary>
    public void HandleDeleteRecords(RequestContext context, DeleteRecordsRequest request, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        _deleteRecords.Handle(context, request, effects);
    }

    /// <summary>OffsetForLeaderEpoch v0-v4.</summary>
    public void HandleOffsetForLeaderEpoch(RequestContext context, OffsetForLeaderEpochRequest request, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        _offsetForLeaderEpoch.Handle(context, request, effects);
    }

    /// <summary>
    /// The node's own append (the group coordinator's commits): as a producer with acks=all would, it is
    /// refused below min.insync.replicas, and <paramref name="onCommitted"/> runs once the HW passes it, it
    /// fails, or <see cref="InternalAppendTimeoutMs"/> passes (REQUEST_TIMED_OUT).
    /// </summary>
    public void AppendAsLeader(TopicPartition partition, ReadOnlyMemory<byte> batch, long nowMs, Effects effects,
        Action<AppendOutcome, Effects> onCommitted)
    {
        _lastNowMs = nowMs;
        LeaderAppend append = _produce.AppendAsLeader(partition, batch, short.MaxValue, acks: -1, nowMs, effects);
        if (append.Error != ErrorCode.None)
        {
            onCommitted(new AppendOutcome((short)append.Error, -1, -1, nowMs), effects);
            return;
        }
        var wait = new AckWait(partition, AckLevel.HighWatermark, append.LastOffset + 1, append.LeaderEpoch);
        _produce.AnswerWhenAcked(nowMs + InternalAppendTimeoutMs, connection: null, [wait],
            completeEffects => onCommitted(new AppendOutcome((short)wait.Status.Error, append.BaseOffset, append.LastOffset, _lastNowMs), completeEffects),
            effects);
    }

    /// <summary>The storage made <paramref name="log"/> durable below <paramref name="durableEndOffset"/> (after a FlushLog).</summary>
    public void OnLogFlushed(TopicPartition log, long durableEndOffset, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        if (_table.Get(log) is not Partition partition) return;
        partition.Log.OnFlushed(durableEndOffset);
        // Group commit: whatever was appended while that flush was out goes in the next one.
        if (_config.FlushBeforeAcknowledge) partition.Log.RequestFlush(effects);
        _progress.OnChanged(partition, nowMs, effects);
        if (partition.Role == ReplicaRole.Follower) _fetcher.MaybeSendFetches(nowMs, effects); // it may have waited for this flush
    }

    /// <summary>Forgets the fetches and produces parked for a closed connection; nobody is left to answer.</summary>
    public void OnConnectionClosed(ConnectionId connection)
    {
        _produces.DropConnection(connection);
        _fetches.DropConnection(connection);
    }

    /// <summary>The answer to a request this room sent: a follower's Fetch, or an AlterPartition.</summary>
    public void HandleResponse(int correlationId, IResponseBody body, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        if (_fetcher.HandleResponse(correlationId, body, nowMs, effects)) return;
        if (_isrChanges.HandleResponse(correlationId, body, _table) is Partition committed) _progress.OnChanged(committed, nowMs, effects);
    }

    /// <summary>
    /// A request this room sent will get no answer: a Fetch pauses its leader for replica.fetch.backoff.ms; an
    /// AlterPartition is sent again at the next ISR check.
    /// </summary>
    public void HandleRequestFailed(int correlationId, long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        if (_fetcher.HandleRequestFailed(correlationId, nowMs)) return;
        _isrChanges.HandleRequestFailed(correlationId);
    }

    /// <summary>
    /// Re-reads parked fetches whose partitions moved, then expires fetches and produces, runs retention and
    /// the ISR check when due, and sends the follower fetches whose backoff is over.
    /// </summary>
    public void Tick(long nowMs, Effects effects)
    {
        _lastNowMs = nowMs;
        _fetcher.MaybeSendFetches(nowMs, effects);
        _fetch.CompleteAdvanced(nowMs, effects);
        _fetch.CompleteDue(nowMs, effects);
        _produces.ExpireDue(nowMs, effects);
        if (nowMs >= _nextRetentionCheckMs)
        {
            RunRetention(nowMs, effects);
            _nextRetentionCheckMs = nowMs + _config.LogRetentionCheckIntervalMs;
        }
        if (nowMs >= _nextIsrCheckMs)
        {
            CheckIsr(nowMs, effects);
            _nextIsrCheckMs = nowMs + IsrCheckIntervalMs;
        }
    }

    public PartitionSnapshot? Snapshot(TopicPartition partition) => _table.Get(partition)?.Snapshot();

    /// <summary>Every partition with a log here, in <see cref="TopicPartition"/> order.</summary>
    public IReadOnlyList<PartitionSnapshot> Snapshots() => _table.All.Select(partition => partition.Snapshot()).ToList();

    /// <summary>Kafka's log retention task: whole old segments go by time and size, on leaders and followers alike.</summary>
    private void RunRetention(long nowMs, Effects effects)
    {
        foreach (Partition partition in _table.All)
        {
            partition.Producers.RemoveExpired(nowMs);
            if (partition.Role == ReplicaRole.Unassigned) continue; // its topic's retention is not known yet
            PartitionLog log = partition.Log;
            if (LogRetention.NewLogStartOffset(_storage.Segments(partition.Name), log.LogStartOffset, log.HighWatermark,
                    partition.Config, nowMs) is not long newStartOffset) continue;
            log.AdvanceStart(newStartOffset, effects);
            partition.Producers.TruncateHead(newStartOffset);
        }
    }

    /// <summary>
    /// Proposes dropping lagging followers from the ISR, sends again proposals that could not go out, and
    /// lets the HW move where a follower outside the ISR no longer counts as caught up.
    /// </summary>
    private void CheckIsr(long nowMs, Effects effects)
    {
        foreach (Partition partition in _table.All.Where(partition => partition.IsLeader))
        {
            partition.MaybeProposeShrink(nowMs, _config.ReplicaLagTimeMaxMs);
            _isrChanges.Submit(partition, effects);
            _progress.OnChanged(partition, nowMs, effects);
        }
    }

    private void Delete(Partition partition, Effects effects)
    {
        _table.Remove(partition.Name);
        effects.Add(new NodeEffect.DeleteLog(partition.Name));
        _produces.CompleteSatisfied(partition.Name, _table, effects); // their partition is gone: NOT_LEADER_OR_FOLLOWER
        _fetches.MarkAdvanced(partition.Name);
    }
}
