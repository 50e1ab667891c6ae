using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Simulation.Workload.Data;

/// <summary>
/// A producer: one record a send, to a partition drawn at random, with a value no other send has
/// (<c>c{client}-{n}</c>), so a reader can tell every write apart. Swarm testing: each producer draws per
/// seed whether it is idempotent (InitProducerId, then a sequence number per partition, KIP-98) and how often
/// it asks for acks=all rather than acks=1. A send is retried on retriable errors, at most
/// <see cref="AttemptsMax"/> times, as the same batch (same producer id, epoch and sequence), so the
/// leader can drop a duplicate. Its completion in the history:
/// <list type="bullet">
/// <item>ok with the offset the leader assigned;</item>
/// <item>fail when no attempt can have been appended (refused connections, errors the leader returns
/// before it appends);</item>
/// <item>info otherwise (a timeout, a lost connection, or an error after a possible append such as
/// NOT_LEADER_OR_FOLLOWER from a produce that was waiting for acks).</item>
/// </list>
/// acks=0 is not drawn: the simulator's connections expect one answer per request (an acks=0 produce gets
/// none), so it would hold the connection until the client's timeout.
/// </summary>
internal sealed class ProducerClient : DataClient
{
    /// <summary>Produce v9: record batch v2, flexible.</summary>
    public const short ProduceVersion = 9;

    /// <summary>InitProducerId v4 (KIP-360's epoch bump fields, unused here).</summary>
    public const short InitProducerIdVersion = 4;

    /// <summary>Attempts of one send at most (Kafka's default retries are unbounded within delivery.timeout.ms; ours are counted).</summary>
    public const int AttemptsMax = 10;

    /// <summary>
    /// Metadata requests one send may wait through for a leader (one per <see cref="DataClient.RetryBackoffMs"/>
    /// at least): a partition whose only replica is down has none until that node is back.
    /// </summary>
    public const int RefreshesPerSendMax = 50;

    /// <summary>
    /// The leader waits this long for acks=all before answering REQUEST_TIMED_OUT, well inside the simulator's
    /// client request timeout, so a send learns its fate within a short run.
    /// </summary>
    public const int ProduceTimeoutMs = 3_000;

    /// <summary>Errors a leader returns before it appends anything: the attempt certainly did not land.</summary>
    private static readonly ErrorCode[] NotAppendedErrors =
    [
        ErrorCode.NotEnoughReplicas, ErrorCode.UnknownTopicOrPartition, ErrorCode.CorruptMessage, ErrorCode.InvalidRecord,
        ErrorCode.OutOfOrderSequenceNumber, ErrorCode.InvalidProducerEpoch, ErrorCode.UnknownProducerId,
    ];

    private static readonly ErrorCode[] RetriableErrors =
    [
        ErrorCode.NotLeaderOrFollower, ErrorCode.UnknownTopicOrPartition, ErrorCode.LeaderNotAvailable, ErrorCode.NotEnoughReplicas,
        ErrorCode.NotEnoughReplicasAfterAppend, ErrorCode.RequestTimedOut, ErrorCode.KafkaStorageError, ErrorCode.FencedLeaderEpoch,
        ErrorCode.UnknownLeaderEpoch, ErrorCode.NetworkException,
    ];

    private readonly bool _idempotent;
    private readonly int _acksAllPercent;
    private long _producerId = -1;
    private short _producerEpoch = -1;
    private readonly SortedDictionary<int, int> _nextSequence = [];
    private int _sendsStarted;
    private Pending? _pending;

    private sealed class Pending(long operationId, int partition, string value, short acks, int sequence)
    {
        public long OperationId { get; } = operationId;
        public int Partition { get; } = partition;
        public string Value { get; } = value;
        public short Acks { get; } = acks;
        public int Sequence { get; } = sequence;
        public int Attempts;
        public int Refreshes;
        public bool MayHaveLanded;
        public byte[]? Batch;
    }

    public ProducerClient(int clientId, DataWorkloadOptions options, bool idempotent, int acksAllPercent) : base(clientId, options)
    {
        _idempotent = idempotent;
        _acksAllPercent = acksAllPercent;
    }

    public override void Act(IWorkloadContext context)
    {
        if (!KnowsLeaders && _pending is { Refreshes: >= RefreshesPerSendMax }) GiveUp(context, "no-leader");
        else if (!KnowsLeaders) Refresh(context);
        else if (_idempotent && _producerId < 0) Send(context, AnyNode(context), InitProducerIdVersion, new InitProducerIdRequest { TransactionTimeoutMs = 60_000 });
        else if (_pending is not null || Begin(context)) Attempt(context);
    }

    protected override void OnAnswer(IWorkloadContext context, ClientRequest request, IResponseBody response)
    {
        if (response is InitProducerIdResponse init)
        {
            if (init.ErrorCode == (short)ErrorCode.None) (_producerId, _producerEpoch) = (init.ProducerId, init.ProducerEpoch);
            _nextSequence.Clear();
            After(context, init.ErrorCode == (short)ErrorCode.None ? 0 : RetryBackoffMs);
            return;
        }
        Pending pending = _pending ?? throw new InvalidOperationException($"client {ClientId} got a produce answer with no send pending");
        ProduceResponse.PartitionProduceResponse? answer = ((ProduceResponse)response).Responses.FirstOrDefault(t => t.Name == DataOperation.Topic)
            ?.PartitionResponses.FirstOrDefault(p => p.Index == pending.Partition);
        var error = (ErrorCode)(answer?.ErrorCode ?? (short)ErrorCode.UnknownServerError);
        if (error == ErrorCode.None && answer is not null)
        {
            Complete(context, HistoryKind.Ok, ("offset", answer.BaseOffset));
            if (_idempotent) _nextSequence[pending.Partition] = pending.Sequence + 1;
            return;
        }
        pending.MayHaveLanded |= !NotAppendedErrors.Contains(error);
        if (RetriableErrors.Contains(error) && pending.Attempts < AttemptsMax) Retry(context);
        else GiveUp(context, error.ToString());
    }

    protected override void OnNoAnswer(IWorkloadContext context, ClientRequest request, string reason)
    {
        if (request.ApiKey == ApiKey.InitProducerId || _pending is not Pending pending)
        {
            After(context, RetryBackoffMs);
            return;
        }
        // A refused connection never carried the request; a timeout or a lost connection may have.
        pending.MayHaveLanded |= reason != "refused";
        if (pending.Attempts < AttemptsMax) Retry(context);
        else GiveUp(context, reason);
    }

    private bool Begin(IWorkloadContext context)
    {
        if (_sendsStarted >= Options.OperationsPerClientMax) return false;
        _sendsStarted++;
        int partition = context.Random.Next(Options.Partitions);
        short acks = context.Random.Next(100) < _acksAllPercent ? (short)-1 : (short)1;
        int sequence = _idempotent ? _nextSequence.GetValueOrDefault(partition) : -1;
        _pending = new Pending(NextOperationId(), partition, $"c{ClientId}-{_sendsStarted}", acks, sequence);
        context.Record(ClientId, _pending.OperationId, HistoryKind.Invoke, DataOperation.Send, Describe(_pending));
        return true;
    }

    private void Attempt(IWorkloadContext context)
    {
        Pending pending = _pending!;
        pending.Attempts++;
        pending.Batch ??= new RecordBatchBuilder(new RecordBatchOptions
        {
            ProducerId = _idempotent ? _producerId : -1,
            ProducerEpoch = _idempotent ? _producerEpoch : (short)-1,
            BaseSequence = pending.Sequence,
        }).Append(context.NowMs, null, System.Text.Encoding.UTF8.GetBytes(pending.Value)).Build();
        Send(context, Leaders[pending.Partition], ProduceVersion, new ProduceRequest
        {
            Acks = pending.Acks,
            TimeoutMs = ProduceTimeoutMs,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = DataOperation.Topic,
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = pending.Partition, Records = pending.Batch }],
                },
            ],
        });
    }

    private void Refresh(IWorkloadContext context)
    {
        if (_pending is not null) _pending.Refreshes++;
        RefreshMetadata(context);
    }

    /// <summary>Tries the send again after a pause, asking for the leaders again first (the error may mean it moved).</summary>
    private void Retry(IWorkloadContext context)
    {
        Leaders.Clear();
        After(context, RetryBackoffMs);
    }

    /// <summary>
    /// Ends a send without an acknowledgement. An idempotent producer can then no longer tell which sequence
    /// the leader expects next (the batch may have landed, or the leader lost its producer state), so it
    /// starts over with a new producer id, as Kafka's producer resets its idempotent state, and never sends
    /// that value again.
    /// </summary>
    private void GiveUp(IWorkloadContext context, string error)
    {
        Complete(context, _pending!.MayHaveLanded ? HistoryKind.Info : HistoryKind.Fail, ("error", error));
        if (_idempotent) _producerId = -1;
    }

    private void Complete(IWorkloadContext context, HistoryKind kind, (string Key, object Value) outcome)
    {
        Pending pending = _pending!;
        context.Record(ClientId, pending.OperationId, kind, DataOperation.Send, $"{Describe(pending)} {outcome.Key}={outcome.Value}");
        _pending = null;
        Think(context);
    }

    private string Describe(Pending pending) =>
        DataOperation.Format(pending.Partition, ("value", pending.Value), ("acks", pending.Acks), ("idempotent", _idempotent ? 1 : 0),
            ("min-isr", Options.MinInsyncReplicas));

    private long NextOperationId() => (long)ClientId << 32 | (uint)_sendsStarted;

    private static int AnyNode(IWorkloadContext context) => context.NodeIds[context.Random.Next(context.NodeIds.Count)];
}
