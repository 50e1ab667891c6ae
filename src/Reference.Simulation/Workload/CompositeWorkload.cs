using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Workload;

/// <summary>
/// Several workloads in one run, each with its own block of client ids (the i-th part's client c is
/// <c>i * ClientIdsPerPart + c</c>), so their connections and history entries never mix and each part sees
/// the ids it chose. They share the workload's random stream and its wake-ups: every part is woken and
/// acts only on what is due for it.
/// </summary>
public sealed class CompositeWorkload : IWorkload
{
    /// <summary>Client ids each part may use (1 to this - 1).</summary>
    public const int ClientIdsPerPart = 100;

    private readonly IReadOnlyList<IWorkload> _parts;
    private readonly List<PartContext> _contexts = [];

    public CompositeWorkload(params IWorkload[] parts)
    {
        if (parts.Length == 0) throw new ArgumentException("a composite workload has at least one part", nameof(parts));
        _parts = parts;
    }

    public string Name => string.Join("+", _parts.Select(p => p.Name));

    public IReadOnlyList<IWorkload> Parts => _parts;

    public void Start(IWorkloadContext context)
    {
        for (int i = 0; i < _parts.Count; i++)
        {
            var part = new PartContext(context, i * ClientIdsPerPart);
            _contexts.Add(part);
            _parts[i].Start(part);
        }
    }

    public void OnResponse(IWorkloadContext context, ClientRequest request, IResponseBody response)
    {
        (int index, ClientRequest own) = Route(request);
        _parts[index].OnResponse(_contexts[index], own, response);
    }

    public void OnFailure(IWorkloadContext context, ClientRequest request, string reason)
    {
        (int index, ClientRequest own) = Route(request);
        _parts[index].OnFailure(_contexts[index], own, reason);
    }

    public void OnWake(IWorkloadContext context)
    {
        for (int i = 0; i < _parts.Count; i++) _parts[i].OnWake(_contexts[i]);
    }

    private (int Index, ClientRequest Own) Route(ClientRequest request)
    {
        int index = request.ClientId / ClientIdsPerPart;
        if (index >= _parts.Count) throw new InvalidOperationException($"client {request.ClientId} belongs to no part of {Name}");
        return (index, request with { ClientId = request.ClientId - _contexts[index].ClientIdOffset });
    }

    private sealed class PartContext(IWorkloadContext outer, int clientIdOffset) : IWorkloadContext
    {
        public int ClientIdOffset { get; } = clientIdOffset;

        public long NowMs => outer.NowMs;

        public IDeterministicRandom Random => outer.Random;

        public IReadOnlyList<int> NodeIds => outer.NodeIds;

        public IReadOnlyList<int> VoterIds => outer.VoterIds;

        public ClientRequest Send(int clientId, int nodeId, ListenerKind listener, short apiVersion, IRequestBody body)
        {
            ClientRequest sent = outer.Send(Own(clientId), nodeId, listener, apiVersion, body);
            return sent with { ClientId = clientId };
        }

        public void GiveUp(ClientRequest request) => outer.GiveUp(request with { ClientId = Own(request.ClientId) });

        public void Record(int clientId, long operationId, HistoryKind kind, string operation, string value) =>
            outer.Record(Own(clientId), operationId, kind, operation, value);

        public void WakeAt(long atMs) => outer.WakeAt(atMs);

        private int Own(int clientId) => clientId is >= 1 and < ClientIdsPerPart
            ? ClientIdOffset + clientId
            : throw new ArgumentOutOfRangeException(nameof(clientId), clientId, $"a part's client ids run from 1 to {ClientIdsPerPart - 1}");
    }
}
