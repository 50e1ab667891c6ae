using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Client.Records;
using Reference.Protocol.Messages;

namespace Reference.Client.Consumer;

/// <summary>
/// Reads assigned partitions from their leaders, each from its own position: no group, no commits (the
/// group consumer builds on this). A partition without a position starts where
/// <see cref="ConsumerOptions.AutoOffsetReset"/> says, found with ListOffsets. Not thread-safe: one caller polls.
/// </summary>
public sealed class KafkaConsumer
{
    private readonly ClusterClient _cluster;
    private readonly IRecordBatchCodec _codec;
    private readonly SortedDictionary<TopicPartition, long?> _positions = new();
    private int _failedPollsInARow;

    public KafkaConsumer(ClusterClient cluster, ConsumerOptions? options = null, IRecordBatchCodec? codec = null)
    {
        _cluster = cluster;
        Options = options ?? new ConsumerOptions();
        _codec = codec ?? RecordBatchCodec.Uncompressed;
    }

    public ConsumerOptions Options { get; }

    public IReadOnlyCollection<TopicPartition> Assignment => _positions.Keys;

    /// <summary>Reads exactly these partitions from now on; those kept keep their positions.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        var wanted = partitions.ToHashSet();
        foreach (TopicPartition dropped in _positions.Keys.Where(p => !wanted.Contains(p)).ToList()) _positions.Remove(dropped);
        foreach (TopicPartition added in wanted) _positions.TryAdd(added, null);
    }

    /// <summary>The next offset to read, or null until one is set or reset.</summary>
    public long? Position(TopicPartition partition) =>
        _positions.TryGetValue(partition, out long? position) ? position : throw NotAssigned(partition);

    public void Seek(TopicPartition partition, long offset)
    {
        if (!_positions.ContainsKey(partition)) throw NotAssigned(partition);
        _positions[partition] = offset;
    }

    /// <summary>Moves partitions to their earliest or latest offset (or an exact one).</summary>
    public async Task SeekAsync(IReadOnlyCollection<TopicPartition> partitions, OffsetSpec spec, CancellationToken cancellationToken)
    {
        foreach (TopicPartition partition in partitions) if (!_positions.ContainsKey(partition)) throw NotAssigned(partition);
        Dictionary<TopicPartition, long> offsets = await OffsetLookup.ListAsync(_cluster, partitions, spec, cancellationToken);
        foreach (var (partition, offset) in offsets) _positions[partition] = offset;
    }

    /// <summary>
    /// One round of fetches, one per leader, each waiting up to <see cref="ConsumerOptions.FetchMaxWaitMs"/>
    /// for data. Returns the records read (possibly none) and moves the positions past them.
    /// </summary>
    public async Task<IReadOnlyList<ConsumerRecord>> PollAsync(CancellationToken cancellationToken)
    {
        if (_positions.Count == 0)
        {
            await Task.Delay(Options.FetchMaxWaitMs, cancellationToken);
            return [];
        }
        await ResetMissingPositionsAsync(cancellationToken);
        LeaderGroups groups = await LeaderRouting.GroupByLeaderAsync(_cluster, _positions.Keys, cancellationToken);
        var records = new List<ConsumerRecord>();
        var stale = new List<string>(groups.Leaderless.Select(p => p.Topic));
        KafkaClientException? unreachable = null;
        foreach (var (leader, partitions) in groups.ByLeader)
        {
            try
            {
                FetchResponse response = await FetchFromAsync(leader, partitions, cancellationToken);
                ReadResponse(response, records, stale);
            }
            catch (Exception error) when (error is KafkaConnectionException or KafkaTimeoutException)
            {
                unreachable = (KafkaClientException)error;
                stale.AddRange(partitions.Select(p => p.Topic));
            }
        }
        await AfterRoundAsync(stale, unreachable, cancellationToken);
        return records;
    }

    private async Task AfterRoundAsync(List<string> staleTopics, KafkaClientException? unreachable, CancellationToken cancellationToken)
    {
        _failedPollsInARow = unreachable is null ? 0 : _failedPollsInARow + 1;
        if (unreachable is not null && _failedPollsInARow >= Options.FailedPollsMax) throw unreachable;
        if (staleTopics.Count == 0) return;
        await Task.Delay(_cluster.Options.RetryBackoffMs, cancellationToken);
        await LeaderRouting.RefreshQuietlyAsync(_cluster, staleTopics, cancellationToken);
    }

    private async Task ResetMissingPositionsAsync(CancellationToken cancellationToken)
    {
        var missing = _positions.Where(p => p.Value is null).Select(p => p.Key).ToList();
        if (missing.Count == 0) return;
        OffsetSpec spec = Options.AutoOffsetReset switch
        {
            OffsetReset.Earliest => OffsetSpec.Earliest,
            OffsetReset.Latest => OffsetSpec.Latest,
            _ => throw new KafkaClientException($"No position for {string.Join(", ", missing)} and the offset reset policy is none: seek first."),
        };
        Dictionary<TopicPartition, long> offsets = await OffsetLookup.ListAsync(_cluster, missing, spec, cancellationToken);
        foreach (var (partition, offset) in offsets) _positions[partition] = offset;
    }

    private Task<FetchResponse> FetchFromAsync(int leader, List<TopicPartition> partitions, CancellationToken cancellationToken) =>
        FetchWithTimeoutAsync(leader, new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = Options.FetchMaxWaitMs,
            MinBytes = Options.FetchMinBytes,
            MaxBytes = Options.FetchMaxBytes,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1, // no fetch session (KIP-227): every request names its partitions
            Topics = partitions
                .GroupBy(p => p.Topic, StringComparer.Ordinal)
                .Select(topic => new FetchRequest.FetchTopic
                {
                    Topic = topic.Key,
                    Partitions = topic.Select(p => new FetchRequest.FetchPartition
                    {
                        Partition = p.Partition,
                        FetchOffset = _positions[p]!.Value,
                        PartitionMaxBytes = Options.PartitionFetchMaxBytes,
                    }).ToList(),
                }).ToList(),
        }, cancellationToken);

    private async Task<FetchResponse> FetchWithTimeoutAsync(int leader, FetchRequest request, CancellationToken cancellationToken)
    {
        BrokerConnection connection = await _cluster.ConnectToNodeAsync(leader, cancellationToken);
        short version = connection.VersionFor(ApiKey.Fetch);
        // The broker may hold the request for MaxWaitMs before answering; the timeout starts after that.
        return await connection.SendAsync<FetchResponse>(request, version, cancellationToken, Options.FetchMaxWaitMs + _cluster.Options.RequestTimeoutMs);
    }

    private void ReadResponse(FetchResponse response, List<ConsumerRecord> into, List<string> staleTopics)
    {
        var topLevel = (ErrorCode)response.ErrorCode;
        if (topLevel != ErrorCode.None) throw KafkaApiException.From(topLevel, "Fetch failed");
        foreach (var topic in response.Responses)
        foreach (var answer in topic.Partitions)
        {
            var partition = new TopicPartition(topic.Topic, answer.PartitionIndex);
            if (!_positions.TryGetValue(partition, out long? position) || position is null) continue;
            var error = (ErrorCode)answer.ErrorCode;
            if (error == ErrorCode.OffsetOutOfRange && Options.AutoOffsetReset != OffsetReset.None)
            {
                _positions[partition] = null; // reset on the next poll
                continue;
            }
            if (ErrorCodes.IsRetriable(error))
            {
                staleTopics.Add(partition.Topic);
                continue;
            }
            if (error != ErrorCode.None) throw KafkaApiException.From(error, $"Fetching {partition} at offset {position} failed");
            if (answer.Records is not { Length: > 0 } bytes) continue;
            DecodedRecords decoded = _codec.Decode(bytes);
            foreach (DecodedRecord record in decoded.Records.Where(r => r.Offset >= position))
                into.Add(new ConsumerRecord(partition.Topic, partition.Partition, record.Offset, record.TimestampMs, record.TimestampType, record.Key, record.Value, record.Headers));
            if (decoded.NextOffset is long next && next > position) _positions[partition] = next;
        }
    }

    private static KafkaClientException NotAssigned(TopicPartition partition) =>
        new($"Partition {partition} is not assigned to this consumer.");
}
