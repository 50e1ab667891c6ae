using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Producers;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Replication;

/// <summary>
/// The follower side of replication (Kafka's <c>ReplicaFetcherManager</c> and one
/// <c>ReplicaFetcherThread</c> per leader): every partition this node follows is fetched from its leader,
/// all of one leader's partitions in one Fetch, with one fetch in flight per leader. The fetch offset is
/// the log end and LastFetchedEpoch the epoch of its last batch (KIP-320 / KIP-595's Fetch): the leader
/// answers with the next batches, or with a DivergingEpoch when this log's tail is not in its log, and the
/// follower truncates to where the logs agree and fetches again. Batches are appended as they came (their
/// offsets and epochs are the leader's); the follower's HW follows the leader's as far as its own log
/// reaches, and its log start follows the leader's. A failed fetch pauses that leader, a partition-level
/// error that partition, for replica.fetch.backoff.ms; a new leader or leader epoch from the metadata lifts
/// a partition's pause. Under FlushBeforeAcknowledge a partition is fetched again only once what it
/// appended is durable, so the log end a fetch reports (which moves the leader's HW) is on disk.
/// </summary>
internal sealed class ReplicaFetcher(NodeConfig config, PartitionTable table, ILogStorage storage, IPeerSender peers,
    Func<long> brokerEpoch, PartitionProgress progress)
{
    /// <summary>Fetch v17: topic ids (v13), ReplicaState with the broker epoch (v15, KIP-903), as Raft's fetch.</summary>
    public const short FetchVersion = 17;

    /// <summary>
    /// The leader checked batch sizes against max.message.bytes when it took them; a follower takes whatever
    /// its leader holds (a topic's limit may have dropped since) or it could never catch up.
    /// </summary>
    private static readonly RecordBatchRules FollowerRules = RecordBatchRules.ForStored(int.MaxValue);

    /// <summary>A fetch in flight: whom it went to and, per partition, the offset and epoch it asked with.</summary>
    private sealed record SentFetch(int LeaderId, SortedDictionary<TopicPartition, (long FetchOffset, int LeaderEpoch)> Partitions);

    /// <summary>Per leader: its fetch in flight (at most one) and the end of its backoff. Bounded by the number of nodes.</summary>
    private readonly SortedDictionary<int, (int? InFlight, long BackoffUntilMs)> _leaders = new();

    private readonly SortedDictionary<int, SentFetch> _inFlight = new();

    /// <summary>Partitions paused after an error, until a time, for the leader epoch they failed in. Bounded by the partitions hosted.</summary>
    private readonly SortedDictionary<TopicPartition, (int LeaderEpoch, long UntilMs)> _paused = new();

    public int InFlightCount => _inFlight.Count;

    /// <summary>The next time a paused leader or partition may be fetched again; long.MaxValue when none.</summary>
    public long NextDeadlineMs
    {
        get
        {
            // The node asks after every input, and a node with no data partitions has neither: the counts spare
            // the enumerators a sorted map allocates even when empty.
            long next = long.MaxValue;
            if (_leaders.Count > 0)
            {
                foreach (var leader in _leaders.Values) if (leader.InFlight is null && leader.BackoffUntilMs > 0) next = Math.Min(next, leader.BackoffUntilMs);
            }
            if (_paused.Count > 0)
            {
                foreach (var pause in _paused.Values) next = Math.Min(next, pause.UntilMs);
            }
            return next;
        }
    }

    /// <summary>Sends a fetch to every leader that has partitions to fetch, none in flight, and no backoff running.</summary>
    public void MaybeSendFetches(long nowMs, Effects effects)
    {
        // Every tick asks, and a node with no data partitions has nothing here: each step is skipped when its
        // map is empty, since the queries allocate even then.
        if (_paused.Count > 0)
        {
            foreach (TopicPartition due in _paused.Where(p => p.Value.UntilMs <= nowMs).Select(p => p.Key).ToList()) _paused.Remove(due);
        }
        if (_leaders.Count > 0)
        {
            foreach (int idle in _leaders.Where(l => l.Value.InFlight is null && l.Value.BackoffUntilMs <= nowMs).Select(l => l.Key).ToList())
                _leaders.Remove(idle); // forgotten once quiet, so the map holds only leaders with work or a pause
        }
        if (table.Count == 0) return;
        var byLeader = new SortedDictionary<int, List<Partition>>();
        foreach (Partition partition in table.All)
        {
            if (!IsFetchable(partition)) continue;
            if (!byLeader.TryGetValue(partition.LeaderId, out List<Partition>? partitions)) byLeader[partition.LeaderId] = partitions = [];
            partitions.Add(partition);
        }
        foreach (var (leaderId, partitions) in byLeader)
        {
            if (_leaders.TryGetValue(leaderId, out var leader) && (leader.InFlight is not null || leader.BackoffUntilMs > nowMs)) continue;
            Send(leaderId, partitions, effects);
        }
    }

    /// <summary>A follower with a leader, not paused, and (under FlushBeforeAcknowledge) with its appends durable.</summary>
    private bool IsFetchable(Partition partition)
    {
        if (partition.Role != ReplicaRole.Follower || partition.LeaderId < 0 || partition.LeaderId == config.NodeId) return false;
        if (_paused.TryGetValue(partition.Name, out var pause))
        {
            if (pause.LeaderEpoch == partition.LeaderEpoch) return false;
            _paused.Remove(partition.Name); // a new leader epoch: the error belonged to the old one
        }
        return !config.FlushBeforeAcknowledge || partition.Log.DurableEndOffset >= partition.Log.LogEndOffset;
    }

    private void Send(int leaderId, List<Partition> partitions, Effects effects)
    {
        var sent = new SentFetch(leaderId, new SortedDictionary<TopicPartition, (long, int)>());
        var request = new FetchRequest
        {
            ReplicaId = config.NodeId,
            ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = config.NodeId, ReplicaEpoch = brokerEpoch() },
            MaxWaitMs = config.ReplicaFetchWaitMaxMs,
            MinBytes = config.ReplicaFetchMinBytes,
            MaxBytes = config.ReplicaFetchResponseMaxBytes,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1, // no fetch session (KIP-227): every fetch names all its partitions
        };
        foreach (var topic in partitions.GroupBy(p => (p.Name.Topic, p.TopicId)))
        {
            var fetchTopic = new FetchRequest.FetchTopic { Topic = topic.Key.Topic, TopicId = topic.Key.TopicId };
            foreach (Partition partition in topic)
            {
                PartitionLog log = partition.Log;
                fetchTopic.Partitions.Add(new FetchRequest.FetchPartition
                {
                    Partition = partition.Name.Partition,
                    CurrentLeaderEpoch = partition.LeaderEpoch,
                    FetchOffset = log.LogEndOffset,
                    LastFetchedEpoch = log.Epochs.LatestEpoch ?? -1,
                    LogStartOffset = log.LogStartOffset,
                    PartitionMaxBytes = config.ReplicaFetchMaxBytes,
                });
                sent.Partitions[partition.Name] = (log.LogEndOffset, partition.LeaderEpoch);
            }
            request.Topics.Add(fetchTopic);
        }
        int correlationId = peers.Send(leaderId, FetchVersion, request, effects);
        _inFlight[correlationId] = sent;
        _leaders[leaderId] = (correlationId, 0);
    }

    /// <summary>Takes the answer to a fetch this fetcher sent; false when the correlation id is not one of its own.</summary>
    public bool HandleResponse(int correlationId, IResponseBody body, long nowMs, Effects effects)
    {
        if (!_inFlight.Remove(correlationId, out SentFetch? sent)) return false;
        if (body is not FetchResponse { ErrorCode: 0 } response)
        {
            BackOff(sent.LeaderId, nowMs);
            return true;
        }
        _leaders[sent.LeaderId] = (null, 0);
        foreach (FetchResponse.FetchableTopicResponse topic in response.Responses)
        {
            if (table.TopicName(topic.TopicId) is not string name) continue;
            foreach (FetchResponse.PartitionData data in topic.Partitions)
                HandlePartition(sent, new TopicPartition(name, data.PartitionIndex), data, nowMs, effects);
        }
        MaybeSendFetches(nowMs, effects);
        return true;
    }

    /// <summary>A fetch got no answer (the leader is down, unreachable or slow): that leader is paused.</summary>
    public bool HandleRequestFailed(int correlationId, long nowMs)
    {
        if (!_inFlight.Remove(correlationId, out SentFetch? sent)) return false;
        BackOff(sent.LeaderId, nowMs);
        return true;
    }

    private void BackOff(int leaderId, long nowMs) => _leaders[leaderId] = (null, nowMs + config.ReplicaFetchBackoffMs);

    /// <summary>
    /// One partition's answer, applied only if the partition is still where the fetch left it (same leader,
    /// epoch and log end): anything else is an answer to a question this node no longer asks.
    /// </summary>
    private void HandlePartition(SentFetch sent, TopicPartition name, FetchResponse.PartitionData data, long nowMs, Effects effects)
    {
        if (!sent.Partitions.TryGetValue(name, out var asked) || table.Get(name) is not Partition partition) return;
        bool current = partition.Role == ReplicaRole.Follower && partition.LeaderId == sent.LeaderId
            && partition.LeaderEpoch == asked.LeaderEpoch && partition.Log.LogEndOffset == asked.FetchOffset;
        if (!current) return;
        if ((ErrorCode)data.ErrorCode != ErrorCode.None)
        {
            // NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH and UNKNOWN_LEADER_EPOCH wait for the metadata to
            // name the leader and epoch both sides agree on; OFFSET_OUT_OF_RANGE below the leader's log start
            // would need this log emptied and restarted there (Kafka's truncateFullyAndStartAt), not done yet.
            _paused[name] = (partition.LeaderEpoch, nowMs + config.ReplicaFetchBackoffMs);
            return;
        }
        if (data.DivergingEpoch is { } diverging && (diverging.Epoch >= 0 || diverging.EndOffset >= 0))
        {
            TruncateToDivergence(partition, diverging, nowMs, effects);
            return;
        }
        Append(partition, data, nowMs, effects);
    }

    private void Append(Partition partition, FetchResponse.PartitionData data, long nowMs, Effects effects)
    {
        PartitionLog log = partition.Log;
        if (data.Records is { Length: > 0 } records)
        {
            AcceptedBatches accepted = FollowerBatches.Accept(records, log.LogEndOffset, log.Epochs.LatestEpoch ?? -1, partition.LeaderEpoch, FollowerRules);
            if (!accepted.IsEmpty)
            {
                log.AppendAsFollower(accepted.Bytes, accepted.Epochs, accepted.NextOffset, effects);
                foreach (RecordBatchHeader header in accepted.Headers)
                    partition.Producers.Record(header, header.BaseOffset, header.LastOffset, header.MaxTimestamp);
                if (config.FlushBeforeAcknowledge) log.RequestFlush(effects);
            }
        }
        // Kafka's follower: HW = min(leader's HW, own log end), and it only ever moves up.
        log.TryAdvanceHighWatermark(Math.Min(data.HighWatermark, log.LogEndOffset));
        long newStart = Math.Min(data.LogStartOffset, log.HighWatermark);
        if (newStart > log.LogStartOffset)
        {
            log.AdvanceStart(newStart, effects);
            partition.Producers.TruncateHead(newStart);
        }
        progress.OnChanged(partition, nowMs, effects);
    }

    /// <summary>
    /// Cuts this log where it stops agreeing with the leader's (KIP-320's truncation on DivergingEpoch): at the
    /// smaller of the leader's end of the epoch and this log's own end of it when both hold that epoch, else
    /// at this log's end of its largest epoch below it, after which the next fetch asks again from there.
    /// </summary>
    private void TruncateToDivergence(Partition partition, FetchResponse.EpochEndOffset diverging, long nowMs, Effects effects)
    {
        PartitionLog log = partition.Log;
        LeaderEpochEnd local = log.Epochs.EndOffsetFor(diverging.Epoch, log.LogEndOffset);
        long target = local == LeaderEpochEnd.Undefined ? Math.Min(diverging.EndOffset, log.LogEndOffset)
            : local.Epoch == diverging.Epoch ? Math.Min(diverging.EndOffset, local.EndOffset)
            : local.EndOffset;
        long boundary = FollowerBatches.BatchStartAtOrBelow(storage, partition.Name, Math.Max(target, log.LogStartOffset));
        if (boundary >= log.LogEndOffset)
        {
            // Nothing to cut, yet the leader says the logs differ: ask again after a pause, not in a tight loop.
            _paused[partition.Name] = (partition.LeaderEpoch, nowMs + config.ReplicaFetchBackoffMs);
            return;
        }
        log.TruncateTo(boundary, effects);
        partition.ReloadProducers(ProducerStateLoader.Load(storage, partition.Name, storage.Extent(partition.Name)));
        progress.OnChanged(partition, nowMs, effects);
    }
}
