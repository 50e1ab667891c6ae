using Reference.Protocol.Messages;

namespace Reference.Simulation.Workload.Data;

/// <summary>
/// The data plane's workload: <see cref="DataWorkloadOptions.Producers"/> producers writing unique values
/// to <see cref="DataOperation.Topic"/> (client ids 1..N) and one consumer reading it back and committing
/// offsets (client id N+1), all through the Kafka protocol against the simulated nodes. Its history is what
/// spec/'s data checks read (spec/README.md: lost writes, offsets, duplicates, committed offsets). Each
/// producer's mix (idempotent or not, how often acks=all) is drawn per seed from the workload's stream.
/// </summary>
public sealed class DataWorkload : IWorkload
{
    private readonly DataWorkloadOptions _options;
    private readonly List<DataClient> _clients = [];

    public DataWorkload(DataWorkloadOptions? options = null)
    {
        _options = options ?? new DataWorkloadOptions();
        _options.Validate();
    }

    public string Name => "produce";

    /// <summary>The producers' draws, for tests and summaries: (idempotent, percent of sends with acks=all) per producer.</summary>
    public IReadOnlyList<(bool Idempotent, int AcksAllPercent)> ProducerMix { get; private set; } = [];

    public void Start(IWorkloadContext context)
    {
        var mix = new List<(bool, int)>();
        for (int id = 1; id <= _options.Producers; id++)
        {
            bool idempotent = context.Random.Next(2) == 0;
            int acksAllPercent = context.Random.Next(3) * 50; // never, half the time, always
            mix.Add((idempotent, acksAllPercent));
            _clients.Add(new ProducerClient(id, _options, idempotent, acksAllPercent));
        }
        _clients.Add(new ConsumerClient(_options.Producers + 1, _options));
        ProducerMix = mix;
        foreach (DataClient client in _clients) client.NextActionAtMs = _options.FirstActionAfterMs + context.Random.Next(DataClient.ThinkTimeMaxMs + 1);
        WakeForNext(context);
    }

    public void OnWake(IWorkloadContext context)
    {
        foreach (DataClient client in _clients)
        {
            client.ExpireIfDue(context);
            if (client.InFlight || client.NextActionAtMs > context.NowMs) continue;
            client.NextActionAtMs = long.MaxValue;
            client.Act(context);
        }
        WakeForNext(context);
    }

    public void OnResponse(IWorkloadContext context, ClientRequest request, IResponseBody response)
    {
        ClientFor(request).OnResponse(context, request, response);
        WakeForNext(context);
    }

    public void OnFailure(IWorkloadContext context, ClientRequest request, string reason)
    {
        ClientFor(request).OnFailure(context, request, reason);
        WakeForNext(context);
    }

    private DataClient ClientFor(ClientRequest request) =>
        request.ClientId >= 1 && request.ClientId <= _clients.Count ? _clients[request.ClientId - 1]
            : throw new InvalidOperationException($"an answer for client {request.ClientId}, which the data workload does not have");

    private void WakeForNext(IWorkloadContext context)
    {
        long next = _clients.Select(c => c.InFlight ? c.DeadlineMs : c.NextActionAtMs).DefaultIfEmpty(long.MaxValue).Min();
        if (next != long.MaxValue) context.WakeAt(next);
    }
}
