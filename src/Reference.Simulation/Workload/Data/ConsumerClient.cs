using System.Text;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Simulation.Workload.Data;

/// <summary>
/// A consumer that reads every partition of the topic from its leader, from offset 0 up to the high
/// watermark, and commits its position for <see cref="DataOperation.GroupId"/> on the group coordinator
/// (FindCoordinator, then a standalone OffsetCommit with generation -1, as a consumer that assigns itself
/// partitions does), reading each commit back with OffsetFetch. Now and then it reads a partition again from
/// offset 0, so acknowledged writes (whose acknowledgement often comes after the first read) are checked,
/// and checked again after later faults. It goes round the partitions: poll, commit
/// when the position moved, fetch the committed offset, next partition. Each step is one operation, one
/// attempt:
/// <list type="bullet">
/// <item><c>poll</c>: ok lists every record at or past the position it asked from; fail with the error
/// (OFFSET_OUT_OF_RANGE resets the position to the log start, as auto.offset.reset=earliest does);</item>
/// <item><c>commit</c>: ok, or info for any error or missing answer (a coordinator may have written the
/// commit before it failed), fail only for a refused connection;</item>
/// <item><c>fetch-offset</c>: ok with the offset (-1 when none) and the coordinator that answered, fail otherwise.</item>
/// </list>
/// </summary>
internal sealed class ConsumerClient(int clientId, DataWorkloadOptions options) : DataClient(clientId, options)
{
    /// <summary>Fetch v11: topic names (v13+ use ids), KIP-392's rack field unused.</summary>
    public const short FetchVersion = 11;

    /// <summary>FindCoordinator v3: one key a request (v4+ batch them).</summary>
    public const short FindCoordinatorVersion = 3;

    /// <summary>OffsetCommit v8, flexible.</summary>
    public const short OffsetCommitVersion = 8;

    /// <summary>OffsetFetch v7: one group a request (v8+ batch groups).</summary>
    public const short OffsetFetchVersion = 7;

    /// <summary>The leader holds a fetch with no new data this long (long polling), so an idle consumer does not spin.</summary>
    public const int FetchMaxWaitMs = 200;

    /// <summary>Bytes one partition answers at most; the consumer lists at most <see cref="DataOperation.RecordsPerPollMax"/> records.</summary>
    public const int PartitionMaxBytes = 64 * 1024;

    /// <summary>After a poll the partition is read again from offset 0 one time in this many (Jepsen's re-reads).</summary>
    public const int RereadOneIn = 8;

    /// <summary>
    /// After a commit that was not acknowledged the consumer commits nothing for this long and reads on: a commit
    /// can wait for its __consumer_offsets write until the request times out, and the reads must not wait with it.
    /// </summary>
    public const long CommitPauseMs = 5_000;

    /// <summary>
    /// A commit unanswered this long is given up (info): an acknowledged one takes a few round trips, and one that
    /// waits on __consumer_offsets replicas that do not fetch would otherwise hold the reads for the whole timeout.
    /// </summary>
    public const long CommitTimeoutMs = 2_000;

    private enum Step { Poll, Commit, FetchOffset }

    private readonly SortedDictionary<int, long> _position = [];
    private readonly SortedDictionary<int, long> _committed = [];
    private int? _coordinator;
    private long _commitsPausedUntilMs;
    private int _partition;
    private Step _step = Step.Poll;
    private int _operationsStarted;
    private long _operationId;

    public override void Act(IWorkloadContext context)
    {
        if (_operationsStarted >= Options.OperationsPerClientMax) return;
        if (!KnowsLeaders) RefreshMetadata(context);
        else if (_step != Step.Poll && _coordinator is null) FindCoordinator(context);
        else if (_step == Step.Poll) Poll(context);
        else if (_step == Step.Commit) Commit(context);
        else FetchOffset(context);
    }

    protected override void OnAnswer(IWorkloadContext context, ClientRequest request, IResponseBody response)
    {
        switch (response)
        {
            case FindCoordinatorResponse found:
                if (found.ErrorCode == (short)ErrorCode.None && found.NodeId >= 0) _coordinator = found.NodeId;
                if (_coordinator is null) SkipGroupSteps(context);
                else After(context, 0);
                break;
            case FetchResponse fetch: Polled(context, fetch); break;
            case OffsetCommitResponse commit: Committed(context, commit); break;
            case OffsetFetchResponse fetched: OffsetFetched(context, fetched); break;
            default: throw new InvalidOperationException($"client {ClientId} got an unexpected {response.ApiKey} answer");
        }
    }

    protected override void OnNoAnswer(IWorkloadContext context, ClientRequest request, string reason)
    {
        if (request.ApiKey == ApiKey.FindCoordinator)
        {
            SkipGroupSteps(context);
            return;
        }
        if (request.ApiKey == ApiKey.Fetch) Leaders.Clear();
        else _coordinator = null;
        if (request.ApiKey == ApiKey.OffsetCommit) _commitsPausedUntilMs = context.NowMs + CommitPauseMs;
        HistoryKind kind = request.ApiKey == ApiKey.OffsetCommit && reason != "refused" ? HistoryKind.Info : HistoryKind.Fail;
        Complete(context, kind, $"{Invocation} error={reason}", NextStep(context, advance: false));
    }

    private long Position => _position.GetValueOrDefault(_partition);

    private string Invocation => _step switch
    {
        Step.Poll => DataOperation.Format(_partition, ("from", Position)),
        Step.Commit => DataOperation.Format(_partition, ("offset", Position)),
        _ => DataOperation.Format(_partition),
    };

    private string OperationName => _step switch
    {
        Step.Poll => DataOperation.Poll,
        Step.Commit => DataOperation.Commit,
        _ => DataOperation.FetchOffset,
    };

    private void Begin(IWorkloadContext context)
    {
        _operationsStarted++;
        _operationId = (long)ClientId << 32 | (uint)_operationsStarted;
        context.Record(ClientId, _operationId, HistoryKind.Invoke, OperationName, Invocation);
    }

    private void Poll(IWorkloadContext context)
    {
        Begin(context);
        Send(context, Leaders[_partition], FetchVersion, new FetchRequest
        {
            MaxWaitMs = FetchMaxWaitMs,
            MinBytes = 1,
            MaxBytes = PartitionMaxBytes,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = DataOperation.Topic,
                    Partitions =
                    [
                        new FetchRequest.FetchPartition
                        {
                            Partition = _partition,
                            CurrentLeaderEpoch = LeaderEpochs.GetValueOrDefault(_partition, -1),
                            FetchOffset = Position,
                            PartitionMaxBytes = PartitionMaxBytes,
                        },
                    ],
                },
            ],
        });
    }

    private void Polled(IWorkloadContext context, FetchResponse response)
    {
        FetchResponse.PartitionData? data = response.Responses.FirstOrDefault(t => t.Topic == DataOperation.Topic)
            ?.Partitions.FirstOrDefault(p => p.PartitionIndex == _partition);
        var error = (ErrorCode)(data is null ? (short)ErrorCode.UnknownServerError : response.ErrorCode != 0 ? response.ErrorCode : data.ErrorCode);
        long from = Position;
        if (error != ErrorCode.None || data is null)
        {
            string invocation = Invocation;
            if (error == ErrorCode.OffsetOutOfRange) _position[_partition] = Math.Max(0, data?.LogStartOffset ?? 0);
            else Leaders.Clear();
            Complete(context, HistoryKind.Fail, $"{invocation} error={error}", NextStep(context, advance: false));
            return;
        }
        List<(long Offset, string Value)> records = Decode(data.Records ?? ReadOnlyMemory<byte>.Empty, from);
        if (records.Count > 0) _position[_partition] = records[^1].Offset + 1;
        if (context.Random.Next(RereadOneIn) == 0) _position[_partition] = 0; // read it all again: acknowledged writes must still be there
        string outcome = DataOperation.Format(_partition, ("from", from), ("hw", data.HighWatermark), ("records", DataOperation.FormatRecords(records)));
        Complete(context, HistoryKind.Ok, outcome, NextStep(context, advance: true));
    }

    /// <summary>The records at or past <paramref name="fromOffset"/>, in order; a fetch may start inside a batch and end in a cut one.</summary>
    private static List<(long Offset, string Value)> Decode(ReadOnlyMemory<byte> bytes, long fromOffset)
    {
        var records = new List<(long, string)>();
        var walker = new RecordBatchWalker(bytes);
        while (records.Count < DataOperation.RecordsPerPollMax && walker.TryNext(out RecordBatchView batch))
        {
            if (batch.Header.IsControl) continue;
            RecordBatchDecodeResult decoded = RecordBatchDecoder.Decode(batch);
            if (!decoded.IsOk) throw new InvalidOperationException($"the batch at offset {batch.Header.BaseOffset} does not decode: {decoded.Error}");
            foreach (Record record in decoded.Records)
                if (record.Offset >= fromOffset && records.Count < DataOperation.RecordsPerPollMax)
                    records.Add((record.Offset, record.Value is { } value ? Encoding.UTF8.GetString(value.Span) : "null"));
        }
        return records;
    }

    private void FindCoordinator(IWorkloadContext context) =>
        Send(context, context.NodeIds[context.Random.Next(context.NodeIds.Count)], FindCoordinatorVersion,
            new FindCoordinatorRequest { Key = DataOperation.GroupId });

    private void Commit(IWorkloadContext context)
    {
        Begin(context);
        Send(context, _coordinator!.Value, OffsetCommitVersion, new OffsetCommitRequest
        {
            GroupId = DataOperation.GroupId,
            Topics =
            [
                new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = DataOperation.Topic,
                    Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = _partition, CommittedOffset = Position }],
                },
            ],
        }, timeoutMs: CommitTimeoutMs);
    }

    private void Committed(IWorkloadContext context, OffsetCommitResponse response)
    {
        short code = response.Topics.FirstOrDefault(t => t.Name == DataOperation.Topic)?.Partitions.FirstOrDefault(p => p.PartitionIndex == _partition)?.ErrorCode
            ?? (short)ErrorCode.UnknownServerError;
        if (code == (short)ErrorCode.None) _committed[_partition] = Position;
        else
        {
            ForgetCoordinatorOn((ErrorCode)code);
            _commitsPausedUntilMs = context.NowMs + CommitPauseMs;
        }
        Complete(context, code == 0 ? HistoryKind.Ok : HistoryKind.Info, code == 0 ? Invocation : $"{Invocation} error={(ErrorCode)code}", NextStep(context, advance: true));
    }

    private void FetchOffset(IWorkloadContext context)
    {
        Begin(context);
        Send(context, _coordinator!.Value, OffsetFetchVersion, new OffsetFetchRequest
        {
            GroupId = DataOperation.GroupId,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = DataOperation.Topic, PartitionIndexes = [_partition] }],
        });
    }

    private void OffsetFetched(IWorkloadContext context, OffsetFetchResponse response)
    {
        OffsetFetchResponse.OffsetFetchResponsePartition? partition = response.Topics.FirstOrDefault(t => t.Name == DataOperation.Topic)
            ?.Partitions.FirstOrDefault(p => p.PartitionIndex == _partition);
        var error = (ErrorCode)(response.ErrorCode != 0 ? response.ErrorCode : partition?.ErrorCode ?? (short)ErrorCode.UnknownServerError);
        if (error == ErrorCode.None && partition is not null)
            Complete(context, HistoryKind.Ok, DataOperation.Format(_partition, ("offset", partition.CommittedOffset), ("node", _coordinator!.Value)),
                NextStep(context, advance: true));
        else
        {
            ForgetCoordinatorOn(error);
            Complete(context, HistoryKind.Fail, $"{Invocation} error={error}", NextStep(context, advance: false));
        }
    }

    /// <summary>
    /// No coordinator to be had: the group steps of this round are skipped (nothing was invoked) and the consumer
    /// reads on, so a group coordinator that cannot load (its __consumer_offsets partition offline) never
    /// stops the reads the other checks need.
    /// </summary>
    private void SkipGroupSteps(IWorkloadContext context)
    {
        _step = Step.Poll;
        _partition = (_partition + 1) % Options.Partitions;
        After(context, RetryBackoffMs);
    }

    private void ForgetCoordinatorOn(ErrorCode error)
    {
        if (error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress) _coordinator = null;
    }

    /// <summary>
    /// The step after this one: poll, then commit if the position moved past the last commit (and commits are not
    /// paused), then read the commit back, then the next partition. A step that failed moves to the next
    /// partition's poll.
    /// </summary>
    private Step NextStep(IWorkloadContext context, bool advance)
    {
        bool moved = _position.GetValueOrDefault(_partition) != _committed.GetValueOrDefault(_partition, -1) && context.NowMs >= _commitsPausedUntilMs;
        return (_step, advance) switch
        {
            (Step.Poll, true) when moved => Step.Commit,
            (Step.Commit, _) => Step.FetchOffset,
            _ => Step.Poll,
        };
    }

    private void Complete(IWorkloadContext context, HistoryKind kind, string value, Step next)
    {
        context.Record(ClientId, _operationId, kind, OperationName, value);
        if (next == Step.Poll) _partition = (_partition + 1) % Options.Partitions;
        _step = next;
        Think(context);
    }
}
