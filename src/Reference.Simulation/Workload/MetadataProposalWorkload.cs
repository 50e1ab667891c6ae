using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Workload;

/// <summary>
/// Clients that propose metadata: each creates topics with unique names, one at a time, by sending
/// CreateTopics to a controller listener (as an admin client with <c>--bootstrap-controller</c> does). A
/// controller that is not the active one answers NOT_CONTROLLER, and the client tries the next voter. Each
/// topic is one operation in the history:
/// <list type="bullet">
/// <item>ok: created; or TOPIC_ALREADY_EXISTS after a retry (names are unique, so an earlier attempt of ours
/// took effect: NOT_CONTROLLER does not prove an append was lost);</item>
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

    private const string Operation = "create-topic";

    private sealed class Client(int clientId)
    {
        public int ClientId { get; } = clientId;
        public int OperationsStarted;
        public long OperationId;
        public string Topic = "";
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
        var result = ((CreateTopicsResponse)response).Topics.FirstOrDefault(t => t.Name == client.Topic);
        var error = (ErrorCode)(result?.ErrorCode ?? (short)ErrorCode.UnknownServerError);
        switch (error)
        {
            case ErrorCode.None:
                Complete(context, client, HistoryKind.Ok, client.Topic);
                break;
            case ErrorCode.TopicAlreadyExists when client.Attempts > 1:
                Complete(context, client, HistoryKind.Ok, $"{client.Topic} (already existed after a retry)");
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
        client.Topic = $"topic-c{client.ClientId}-{client.OperationsStarted}";
        client.NextTargetIndex = context.Random.Next(context.VoterIds.Count);
        context.Record(client.ClientId, client.OperationId, HistoryKind.Invoke, Operation, client.Topic);
        return true;
    }

    private void SendAttempt(IWorkloadContext context, Client client)
    {
        int nodeId = context.VoterIds[client.NextTargetIndex % context.VoterIds.Count];
        client.Attempts++;
        client.InFlight = true;
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
        context.Record(client.ClientId, client.OperationId, kind, Operation, value);
        client.Attempts = 0;
        client.NextActionAtMs = context.NowMs + 1 + context.Random.Next((int)ThinkTimeMaxMs);
    }

    private void WakeForNext(IWorkloadContext context)
    {
        long next = _clients.Where(c => !c.InFlight).Select(c => c.NextActionAtMs).DefaultIfEmpty(long.MaxValue).Min();
        if (next != long.MaxValue) context.WakeAt(next);
    }
}
