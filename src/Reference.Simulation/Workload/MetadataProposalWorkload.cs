using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Workload;

/// <summary>
/// Clients that propose metadata: each creates topics with unique names, one at a time, by sending
/// CreateTopics to a controller listener (as an admin client with <c>--bootstrap-controller</c> does), and
/// once it holds <see cref="LiveTopicsMax"/> of them deletes its oldest with DeleteTopics, so the cluster's
/// metadata stays the size of a working cluster's however long a run lasts (and deletion is exercised). A
/// controller that is not the active one answers NOT_CONTROLLER, and the client tries the next voter. Each
/// creation or deletion is one operation in the history:
/// <list type="bullet">
/// <item>ok: created (deleted); or TOPIC_ALREADY_EXISTS (UNKNOWN_TOPIC_OR_PARTITION) after a retry (names
/// are unique, so an earlier attempt of ours took effect: NOT_CONTROLLER does not prove an append was lost);</item>
/// <item>fail: a definite refusal (an error other than the ones below), or NOT_CONTROLLER from every
/// attempt;</item>
/// <item>info: a timeout, a lost connection or REQUEST_TIMED_OUT: it may yet take effect.</item>
/// </list>
/// A later checker can then ask, for instance, that every ok topic is in every node's committed metadata.
/// </summary>
public sealed class MetadataProposalWorkload(int clientCount = 2) : IWorkload
{
    /// <summary>CreateTopics v7, the highest our controller listener advertises.</summary>
    public const short CreateTopicsVersion = 7;

    /// <summary>Attempts of one operation at most (one per NOT_CONTROLLER or refused connection).</summary>
    public const int AttemptsMax = 10;

    /// <summary>Operations per client at most, so a long run's history stays bounded.</summary>
    public const int OperationsPerClientMax = 10_000;

    /// <summary>The pause before retrying another controller (Kafka's retry.backoff.ms default is 100).</summary>
    public const long RetryBackoffMs = 100;

    /// <summary>Clients wait this long before their first proposal, so a quorum has a chance to form.</summary>
    public const long FirstProposalAfterMs = 1_000;

    /// <summary>The longest pause between one client's operations.</summary>
    public const long ThinkTimeMaxMs = 200;

    /// <summary>Topics one client keeps at most before it deletes its oldest.</summary>
    public const int LiveTopicsMax = 8;

    /// <summary>DeleteTopics v6, the highest our controller listener advertises.</summary>
    public const short DeleteTopicsVersion = 6;

    private const string CreateOperation = "create-topic";
    private const string DeleteOperation = "delete-topic";

    private sealed class Client(int clientId)
    {
        public int ClientId { get; } = clientId;
        public int OperationsStarted;
        public long OperationId;
        public string Topic = "";
        public bool Deleting;
        public int TopicsCreated;

        /// <summary>Topics this client created and has not deleted, oldest first (at most <see cref="LiveTopicsMax"/> + 1).</summary>
        public readonly Queue<string> Live = new();
        public int Attempts;
        public int NextTargetIndex;
        public long NextActionAtMs = long.MaxValue;
        public bool InFlight;
    }

    private readonly List<Client> _clients = Enumerable.Range(1, clientCount > 0 ? clientCount : throw new ArgumentOutOfRangeException(nameof(clientCount)))
        .Select(id => new Client(id)).ToList();

    private long _nextOperationId = 1;

    public string Name => "metadata-proposals";

    public void Start(IWorkloadContext context)
    {
        foreach (Client client in _clients) client.NextActionAtMs = FirstProposalAfterMs + context.Random.Next((int)ThinkTimeMaxMs + 1);
        WakeForNext(context);
    }

    public void OnWake(IWorkloadContext context)
    {
        foreach (Client client in _clients)
        {
            if (client.InFlight || client.NextActionAtMs > context.NowMs) continue;
            client.NextActionAtMs = long.MaxValue;
            if (client.Attempts == 0 && !BeginOperation(context, client)) continue;
            SendAttempt(context, client);
        }
        WakeForNext(context);
    }

    public void OnResponse(IWorkloadContext context, ClientRequest request, IResponseBody response)
    {
        Client client = _clients[request.ClientId - 1];
        client.InFlight = false;
        short? code = response switch
        {
            CreateTopicsResponse created => created.Topics.FirstOrDefault(t => t.Name == client.Topic)?.ErrorCode,
            DeleteTopicsResponse deleted => deleted.Responses.FirstOrDefault(t => t.Name == client.Topic)?.ErrorCode,
            _ => null,
        };
        var error = (ErrorCode)(code ?? (short)ErrorCode.UnknownServerError);
        ErrorCode doneAfterRetry = client.Deleting ? ErrorCode.UnknownTopicOrPartition : ErrorCode.TopicAlreadyExists;
        switch (error)
        {
            case ErrorCode.None:
                Succeed(client);
                Complete(context, client, HistoryKind.Ok, client.Topic);
                break;
            case var _ when error == doneAfterRetry && client.Attempts > 1:
                Succeed(client);
                Complete(context, client, HistoryKind.Ok, $"{client.Topic} ({(client.Deleting ? "already gone" : "already existed")} after a retry)");
                break;
            case ErrorCode.NotController when client.Attempts < AttemptsMax:
                RetryElsewhere(context, client);
                break;
            case ErrorCode.RequestTimedOut:
                Complete(context, client, HistoryKind.Info, $"{client.Topic} ({error})");
                break;
            default:
                Complete(context, client, HistoryKind.Fail, $"{client.Topic} ({error})");
                break;
        }
        WakeForNext(context);
    }

    public void OnFailure(IWorkloadContext context, ClientRequest request, string reason)
    {
        Client client = _clients[request.ClientId - 1];
        client.InFlight = false;
        // A refused connection never carried the request: safe to try elsewhere. Anything else may have.
        if (reason == "refused" && client.Attempts < AttemptsMax) RetryElsewhere(context, client);
        else Complete(context, client, reason == "refused" ? HistoryKind.Fail : HistoryKind.Info, $"{client.Topic} ({reason})");
        WakeForNext(context);
    }

    private bool BeginOperation(IWorkloadContext context, Client client)
    {
        if (client.OperationsStarted >= OperationsPerClientMax) return false;
        client.OperationsStarted++;
        client.OperationId = _nextOperationId++;
        client.Deleting = client.Live.Count >= LiveTopicsMax;
        client.Topic = client.Deleting ? client.Live.Peek() : $"topic-c{client.ClientId}-{++client.TopicsCreated}";
        client.NextTargetIndex = context.Random.Next(context.VoterIds.Count);
        context.Record(client.ClientId, client.OperationId, HistoryKind.Invoke, OperationOf(client), client.Topic);
        return true;
    }

    private static string OperationOf(Client client) => client.Deleting ? DeleteOperation : CreateOperation;

    /// <summary>
    /// A definite success: the topic joins or leaves the client's live list. A deletion that failed or may
    /// not have happened keeps the topic at the head, to be deleted again; a creation that may have happened
    /// is forgotten (at most one stray topic per uncertain creation).
    /// </summary>
    private static void Succeed(Client client)
    {
        if (client.Deleting) client.Live.Dequeue();
        else client.Live.Enqueue(client.Topic);
    }

    private void SendAttempt(IWorkloadContext context, Client client)
    {
        int nodeId = context.VoterIds[client.NextTargetIndex % context.VoterIds.Count];
        client.Attempts++;
        client.InFlight = true;
        if (client.Deleting)
        {
            var delete = new DeleteTopicsRequest { Topics = [new DeleteTopicsRequest.DeleteTopicState { Name = client.Topic }], TimeoutMs = 30_000 };
            context.Send(client.ClientId, nodeId, ListenerKind.Controller, DeleteTopicsVersion, delete);
            return;
        }
        var request = new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = client.Topic,
                    NumPartitions = 1,
                    ReplicationFactor = (short)Math.Min(3, context.NodeIds.Count),
                },
            ],
            TimeoutMs = 30_000,
        };
        context.Send(client.ClientId, nodeId, ListenerKind.Controller, CreateTopicsVersion, request);
    }

    private void RetryElsewhere(IWorkloadContext context, Client client)
    {
        client.NextTargetIndex++;
        client.NextActionAtMs = context.NowMs + RetryBackoffMs;
    }

    private void Complete(IWorkloadContext context, Client client, HistoryKind kind, string value)
    {
        context.Record(client.ClientId, client.OperationId, kind, OperationOf(client), value);
        client.Attempts = 0;
        client.NextActionAtMs = context.NowMs + 1 + context.Random.Next((int)ThinkTimeMaxMs);
    }

    private void WakeForNext(IWorkloadContext context)
    {
        long next = _clients.Where(c => !c.InFlight).Select(c => c.NextActionAtMs).DefaultIfEmpty(long.MaxValue).Min();
        if (next != long.MaxValue) context.WakeAt(next);
    }
}
