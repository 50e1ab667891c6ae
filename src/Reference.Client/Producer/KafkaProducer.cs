using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Client.Records;
using Reference.Protocol.Messages;

namespace Reference.Client.Producer;

/// <summary>
/// Sends records to partition leaders in batches. A keyed record goes to the partition Kafka's Java client
/// would pick (<see cref="Murmur2"/>); a keyless one to the <see cref="StickyPartitioner"/>'s partition.
/// Records wait in a per-partition batch until it is full, <see cref="ProducerOptions.LingerMs"/> passes,
/// or <see cref="FlushAsync"/> is called; then every open batch goes out, one Produce request per leader.
/// Sends happen one round at a time, so a partition's records are written in the order they were given.
/// </summary>
public sealed class KafkaProducer : IAsyncDisposable
{
    private readonly ClusterClient _cluster;
    private readonly IRecordBatchCodec _codec;
    private readonly StickyPartitioner _sticky;
    private readonly RecordAccumulator _accumulator;
    private readonly object _lock = new();
    private readonly SemaphoreSlim _sendRound = new(1, 1);
    // Sends take this in call order (SemaphoreSlim queues waiters first-in, first-out), so records are
    // appended in the order SendAsync was called even while the first waits for metadata.
    private readonly SemaphoreSlim _appendOrder = new(1, 1);
    private bool _lingerScheduled;

    public KafkaProducer(ClusterClient cluster, ProducerOptions? options = null, IRecordBatchCodec? codec = null, Random? random = null)
    {
        _cluster = cluster;
        Options = options ?? new ProducerOptions();
        _codec = codec ?? RecordBatchCodec.Uncompressed;
        _sticky = new StickyPartitioner(random ?? new Random());
        _accumulator = new RecordAccumulator(Options.BatchSizeBytes);
    }

    public ProducerOptions Options { get; }

    /// <summary>Queues a record; the task completes when the leader has it (at once, offset -1, with acks=0).</summary>
    public async Task<RecordMetadata> SendAsync(ProducerRecord record, CancellationToken cancellationToken = default)
    {
        Task<RecordMetadata> delivery;
        bool sendNow;
        bool startLinger = false;
        await _appendOrder.WaitAsync(cancellationToken);
        try
        {
            TopicMetadata topic = await WaitForTopicAsync(record.Topic, cancellationToken);
            lock (_lock)
            {
                int partition = ChoosePartition(record, topic);
                var batchRecord = new BatchRecord(record.Key, record.Value, record.Headers,
                    record.TimestampMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                delivery = _accumulator.Append(new TopicPartition(record.Topic, partition), batchRecord, out sendNow);
                if (!sendNow && !_lingerScheduled) startLinger = _lingerScheduled = true;
            }
        }
        finally
        {
            _appendOrder.Release();
        }
        if (sendNow) _ = SendRoundAsync();
        else if (startLinger) _ = LingerThenSendAsync();
        return await delivery.WaitAsync(cancellationToken);
    }

    /// <summary>Sends every record given so far and waits until each is delivered or has failed.</summary>
    public async Task FlushAsync()
    {
        // Sends called before this one may still wait for metadata: let them append first.
        await _appendOrder.WaitAsync();
        _appendOrder.Release();
        await SendRoundAsync();
    }

    private int ChoosePartition(ProducerRecord record, TopicMetadata topic)
    {
        int count = topic.Partitions.Count;
        if (record.Partition is int explicitPartition)
        {
            if (explicitPartition < 0 || explicitPartition >= count)
                throw new KafkaClientException($"Partition {explicitPartition} of topic '{topic.Name}' does not exist: the topic has {count} partitions.");
            return explicitPartition;
        }
        if (record.Key is not null) return Murmur2.PartitionForKey(record.Key, count);
        return _sticky.Partition(topic.Name, count, AvailablePartitions(topic));
    }

    private static List<int> AvailablePartitions(TopicMetadata topic) =>
        topic.Partitions.Where(p => p.HasLeader).Select(p => p.Partition).ToList();

    private async Task LingerThenSendAsync()
    {
        await Task.Delay(Options.LingerMs);
        await SendRoundAsync();
    }

    /// <summary>One round: takes every open batch and delivers it. Never throws; failures go to the records' tasks.</summary>
    private async Task SendRoundAsync()
    {
        await _sendRound.WaitAsync();
        try
        {
            List<PendingBatch> batches;
            lock (_lock)
            {
                batches = _accumulator.DrainAll();
                _lingerScheduled = false;
                foreach (PendingBatch batch in batches)
                {
                    TopicMetadata? topic = _cluster.CachedMetadata?.Topic(batch.Partition.Topic);
                    if (topic is not null)
                        _sticky.OnBatchClosed(topic.Name, batch.Partition.Partition, topic.Partitions.Count, AvailablePartitions(topic));
                }
            }
            if (batches.Count > 0) await DeliverAsync(batches);
        }
        catch (Exception unexpected)
        {
            // A bug here must not leave callers waiting forever.
            lock (_lock) foreach (PendingBatch batch in _accumulator.DrainAll()) batch.Fail(unexpected);
        }
        finally
        {
            _sendRound.Release();
        }
    }

    private async Task DeliverAsync(List<PendingBatch> batches)
    {
        List<PendingBatch> pending = batches;
        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            var retry = new List<PendingBatch>();
            var byLeader = new SortedDictionary<int, List<PendingBatch>>();
            foreach (PendingBatch batch in pending)
            {
                int leader = _cluster.CachedMetadata?.Topic(batch.Partition.Topic)?.Partitions
                    .FirstOrDefault(p => p.Partition == batch.Partition.Partition)?.LeaderId ?? -1;
                if (leader < 0)
                {
                    batch.LastFailure = $"partition {batch.Partition} has no leader";
                    retry.Add(batch);
                }
                else
                {
                    if (!byLeader.TryGetValue(leader, out var list)) byLeader[leader] = list = [];
                    list.Add(batch);
                }
            }
            List<PendingBatch>[] retried = await Task.WhenAll(byLeader.Select(group => SendToLeaderAsync(group.Key, group.Value)));
            foreach (var list in retried) retry.AddRange(list);
            if (retry.Count == 0) return;
            if (attempt >= Options.DeliveryAttemptsMax)
            {
                foreach (PendingBatch batch in retry)
                    batch.Fail(new KafkaClientException($"Producing to {batch.Partition} failed after {attempt} attempts: {batch.LastFailure}"));
                return;
            }
            await Task.Delay(_cluster.Options.RetryBackoffMs);
            await RefreshQuietlyAsync(retry.Select(b => b.Partition.Topic).Distinct().ToList());
            pending = retry;
        }
    }

    /// <summary>Sends one leader's batches; returns those worth another try.</summary>
    private async Task<List<PendingBatch>> SendToLeaderAsync(int leaderId, List<PendingBatch> batches)
    {
        var retry = new List<PendingBatch>();
        try
        {
            BrokerConnection connection = await _cluster.ConnectToNodeAsync(leaderId, CancellationToken.None);
            short version = connection.VersionFor(ApiKey.Produce);
            ProduceRequest request = BuildRequest(batches);
            if (Options.Acks == Acks.None)
            {
                await connection.SendWithoutResponseAsync(request, version, CancellationToken.None);
                foreach (PendingBatch batch in batches) batch.Complete(-1);
                return retry;
            }
            ProduceResponse response = await connection.SendAsync<ProduceResponse>(request, version, CancellationToken.None,
                Options.ProduceTimeoutMs + _cluster.Options.RequestTimeoutMs);
            foreach (PendingBatch batch in batches) Settle(batch, response, retry);
        }
        catch (Exception error) when (error is KafkaConnectionException or KafkaTimeoutException)
        {
            foreach (PendingBatch batch in batches) batch.LastFailure = error.Message;
            retry.AddRange(batches);
        }
        catch (KafkaClientException error)
        {
            foreach (PendingBatch batch in batches) batch.Fail(error);
        }
        return retry;
    }

    private static void Settle(PendingBatch batch, ProduceResponse response, List<PendingBatch> retry)
    {
        var answer = response.Responses
            .Where(t => t.Name == batch.Partition.Topic)
            .SelectMany(t => t.PartitionResponses)
            .FirstOrDefault(p => p.Index == batch.Partition.Partition);
        if (answer is null)
        {
            batch.LastFailure = "the broker's answer left out this partition";
            retry.Add(batch);
            return;
        }
        var code = (ErrorCode)answer.ErrorCode;
        if (code == ErrorCode.None) batch.Complete(answer.BaseOffset);
        else if (ErrorCodes.IsRetriable(code))
        {
            batch.LastFailure = $"{answer.ErrorMessage ?? ErrorCodes.Describe(code)} ({code})";
            retry.Add(batch);
        }
        else batch.Fail(KafkaApiException.From(code, $"Producing to {batch.Partition} failed", answer.ErrorMessage));
    }

    private ProduceRequest BuildRequest(List<PendingBatch> batches) => new()
    {
        Acks = (short)Options.Acks,
        TimeoutMs = Options.ProduceTimeoutMs,
        TopicData = batches
            .GroupBy(b => b.Partition.Topic, StringComparer.Ordinal)
            .Select(topic => new ProduceRequest.TopicProduceData
            {
                Name = topic.Key,
                PartitionData = topic.Select(b => new ProduceRequest.PartitionProduceData
                {
                    Index = b.Partition.Partition,
                    Records = b.Encode(_codec),
                }).ToList(),
            }).ToList(),
    };

    /// <summary>
    /// Waits for the topic to have partitions in metadata, asking with AllowAutoTopicCreation as Kafka's
    /// producer does, for up to <see cref="ProducerOptions.MetadataWaitMs"/>.
    /// </summary>
    private async Task<TopicMetadata> WaitForTopicAsync(string topicName, CancellationToken cancellationToken)
    {
        TopicMetadata? known = _cluster.CachedMetadata?.Topic(topicName);
        if (IsUsable(known)) return known!;
        int attemptsMax = Math.Max(1, Options.MetadataWaitMs / Math.Max(1, _cluster.Options.RetryBackoffMs));
        for (int attempt = 1; attempt <= attemptsMax; attempt++)
        {
            ClusterMetadata fresh = await _cluster.RefreshMetadataAsync([topicName], allowAutoTopicCreation: true, cancellationToken);
            TopicMetadata? found = fresh.Topic(topicName);
            if (IsUsable(found)) return found!;
            ErrorCode error = found?.Error ?? ErrorCode.UnknownTopicOrPartition;
            if (error != ErrorCode.None && !ErrorCodes.IsRetriable(error))
                throw KafkaApiException.From(error, $"Cannot produce to topic '{topicName}'");
            await Task.Delay(_cluster.Options.RetryBackoffMs, cancellationToken);
        }
        throw new KafkaTimeoutException(
            $"Topic '{topicName}' not present in metadata after {Options.MetadataWaitMs} ms: create it with `kraft topics --create --topic {topicName}`, or let the broker auto-create topics.");
    }

    private static bool IsUsable(TopicMetadata? topic) => topic is { Error: ErrorCode.None, Partitions.Count: > 0 };

    private async Task RefreshQuietlyAsync(IReadOnlyCollection<string> topics)
    {
        try
        {
            await _cluster.RefreshMetadataAsync(topics, allowAutoTopicCreation: false, CancellationToken.None);
        }
        catch (KafkaClientException)
        {
            // The next attempt fails with the reason, or succeeds against a broker that came back.
        }
    }

    /// <summary>Sends what is queued; the cluster client stays open for its owner.</summary>
    public async ValueTask DisposeAsync() => await FlushAsync();
}
