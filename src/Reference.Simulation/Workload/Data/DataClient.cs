using System.Globalization;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Workload.Data;

/// <summary>
/// What every client of the data workload does as a real Kafka client does: it learns the partition leaders
/// from Metadata (asking any node), creates the topic on a controller when no node knows it, and routes each
/// request to the leader it last learned. One request in flight at a time; the workload calls
/// <see cref="Act"/> when <see cref="NextActionAtMs"/> comes and hands back every answer.
/// </summary>
internal abstract class DataClient(int clientId, DataWorkloadOptions options)
{
    /// <summary>Metadata v9: topic names, no topic ids (v10+), flexible.</summary>
    public const short MetadataVersion = 9;

    /// <summary>CreateTopics v7, the highest our controller listener advertises.</summary>
    public const short CreateTopicsVersion = 7;

    /// <summary>The pause after a refusal or an error before trying again (Kafka's retry.backoff.ms default).</summary>
    public const long RetryBackoffMs = 100;

    /// <summary>
    /// A request unanswered this long is given up as "timeout" and its connection closed (Kafka's
    /// request.timeout.ms, shortened so a short run does not lose a client to one lost message; the produce
    /// timeout and the fetch wait are well inside it). A late answer to it is dropped.
    /// </summary>
    public const long RequestTimeoutMs = 5_000;

    /// <summary>The longest pause between one client's operations.</summary>
    public const int ThinkTimeMaxMs = 200;

    public int ClientId { get; } = clientId;

    public bool InFlight => _awaiting is not null;

    /// <summary>When the request in flight is given up; meaningful while <see cref="InFlight"/>.</summary>
    public long DeadlineMs { get; private set; }

    private ClientRequest? _awaiting;

    public long NextActionAtMs { get; set; } = long.MaxValue;

    protected DataWorkloadOptions Options { get; } = options;

    /// <summary>Partition index to its leader's node id; empty until Metadata names them all.</summary>
    protected SortedDictionary<int, int> Leaders { get; } = [];

    /// <summary>
    /// Partition index to the highest leader epoch any Metadata answer named (KIP-320): an answer naming an older
    /// one comes from a node whose metadata is stale (a deposed leader cut off from the controllers still names
    /// itself) and is ignored, as Kafka's client ignores it; the consumer's fetches carry it, so such a node
    /// refuses them rather than serve a log the partition no longer has.
    /// </summary>
    protected SortedDictionary<int, int> LeaderEpochs { get; } = [];

    protected bool KnowsLeaders => Leaders.Count == Options.Partitions;

    /// <summary>Does the client's next step (the workload saw it due and not waiting for an answer).</summary>
    public abstract void Act(IWorkloadContext context);

    /// <summary>An answer to one of this client's own requests other than Metadata and CreateTopics.</summary>
    protected abstract void OnAnswer(IWorkloadContext context, ClientRequest request, IResponseBody response);

    /// <summary>A request of this client's got no answer ("refused", "timeout", "disconnected").</summary>
    protected abstract void OnNoAnswer(IWorkloadContext context, ClientRequest request, string reason);

    public void OnResponse(IWorkloadContext context, ClientRequest request, IResponseBody response)
    {
        if (!IsAwaited(request)) return;
        switch (response)
        {
            case MetadataResponse metadata: Learn(context, metadata); break;
            case CreateTopicsResponse: After(context, RetryBackoffMs); break; // created, existing or refused: Metadata says which
            default: OnAnswer(context, request, response); break;
        }
    }

    public void OnFailure(IWorkloadContext context, ClientRequest request, string reason)
    {
        if (!IsAwaited(request)) return;
        if (request.ApiKey is ApiKey.Metadata or ApiKey.CreateTopics) After(context, RetryBackoffMs);
        else OnNoAnswer(context, request, reason);
    }

    /// <summary>Gives up the request in flight once its deadline has come, as a failure with reason "timeout".</summary>
    public void ExpireIfDue(IWorkloadContext context)
    {
        if (_awaiting is not { } request || context.NowMs < DeadlineMs) return;
        context.GiveUp(request);
        OnFailure(context, request, "timeout");
    }

    protected void Send(IWorkloadContext context, int nodeId, short version, IRequestBody body, ListenerKind listener = ListenerKind.Broker,
        long timeoutMs = RequestTimeoutMs)
    {
        if (InFlight) throw new InvalidOperationException($"client {ClientId} sends {body.ApiKey} with a request in flight");
        DeadlineMs = context.NowMs + timeoutMs;
        _awaiting = context.Send(ClientId, nodeId, listener, version, body);
    }

    /// <summary>True, and no longer in flight, for the answer awaited; false for a late answer to a request given up.</summary>
    private bool IsAwaited(ClientRequest request)
    {
        if (_awaiting is null || _awaiting.CorrelationId != request.CorrelationId) return false;
        _awaiting = null;
        return true;
    }

    /// <summary>Asks a node drawn at random for the topic's leaders (a bootstrap server, then whoever is up).</summary>
    protected void RefreshMetadata(IWorkloadContext context)
    {
        Leaders.Clear();
        int nodeId = context.NodeIds[context.Random.Next(context.NodeIds.Count)];
        Send(context, nodeId, MetadataVersion, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = DataOperation.Topic }],
            AllowAutoTopicCreation = false,
        });
    }

    /// <summary>Schedules the next step <paramref name="delayMs"/> from now.</summary>
    protected void After(IWorkloadContext context, long delayMs) => NextActionAtMs = context.NowMs + delayMs;

    /// <summary>Schedules the next step after a think time drawn in [1, <see cref="ThinkTimeMaxMs"/>].</summary>
    protected void Think(IWorkloadContext context) => After(context, 1 + context.Random.Next(ThinkTimeMaxMs));

    private void Learn(IWorkloadContext context, MetadataResponse metadata)
    {
        MetadataResponse.MetadataResponseTopic? topic = metadata.Topics.FirstOrDefault(t => t.Name == DataOperation.Topic);
        if (topic is null || topic.ErrorCode == (short)ErrorCode.UnknownTopicOrPartition)
        {
            CreateTopic(context);
            return;
        }
        foreach (MetadataResponse.MetadataResponsePartition partition in topic.Partitions)
        {
            if (partition.ErrorCode != (short)ErrorCode.None || partition.LeaderId < 0 || partition.PartitionIndex >= Options.Partitions) continue;
            if (partition.LeaderEpoch < LeaderEpochs.GetValueOrDefault(partition.PartitionIndex, -1)) continue;
            LeaderEpochs[partition.PartitionIndex] = partition.LeaderEpoch;
            Leaders[partition.PartitionIndex] = partition.LeaderId;
        }
        After(context, KnowsLeaders ? 0 : RetryBackoffMs);
    }

    /// <summary>
    /// Any client may create the topic: the first CreateTopics wins, the others get TOPIC_ALREADY_EXISTS, and
    /// a controller that is not the active one answers NOT_CONTROLLER; either way Metadata is asked again.
    /// </summary>
    private void CreateTopic(IWorkloadContext context)
    {
        int nodeId = context.VoterIds[context.Random.Next(context.VoterIds.Count)];
        Send(context, nodeId, CreateTopicsVersion, new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = DataOperation.Topic,
                    NumPartitions = Options.Partitions,
                    ReplicationFactor = Options.ReplicationFactorFor(context.NodeIds.Count),
                    Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "min.insync.replicas", Value = Options.MinInsyncReplicas.ToString(CultureInfo.InvariantCulture) }],
                },
            ],
            TimeoutMs = 30_000,
        }, ListenerKind.Controller);
    }
}
