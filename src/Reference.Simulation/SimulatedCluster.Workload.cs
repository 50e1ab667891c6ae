using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Cluster;
using Reference.Simulation.Monitors;
using Reference.Simulation.Network;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Traces;
using Reference.Simulation.Workload;

namespace Reference.Simulation;

/// <summary>
/// Workload clients. They sit outside the cluster: their links have latency, loss and duplication but no
/// partitions. What they record in the history is committed after each callback, one event per entry, so
/// monitors see the history grow entry by entry, in the simulator and in replay alike.
/// </summary>
public sealed partial class SimulatedCluster
{
    private readonly WorkloadContext _workloadContext;
    private readonly SortedSet<long> _workloadWakes = [];
    private readonly List<HistoryEntry> _pendingHistory = [];

    private void RunWorkload(Action<IWorkload> callback)
    {
        if (_workload is null) return;
        try
        {
            callback(_workload);
        }
        catch (Exception error) when (error is not EventQueueFullException)
        {
            _pendingHistory.Clear();
            Violate(SimulatorViolations.WorkloadThrew, $"{_workload.Name} threw {error.GetType().Name}: {error.Message}");
            return;
        }
        CommitHistory();
    }

    private void CommitHistory()
    {
        foreach (HistoryEntry entry in _pendingHistory)
        {
            if (!_outcome.IsOk) break;
            _history.Append(entry);
            Record(new TraceEntry.Client(entry), new SimulationEvent.HistoryRecorded(_nowMs, entry));
            CheckMonitors();
        }
        _pendingHistory.Clear();
    }

    private void DeliverToWorkload(ClientRequest request, byte[] frame)
    {
        IResponseBody body;
        try
        {
            body = WireFrames.DecodeResponse(frame, request.ApiKey, request.ApiVersion).Body;
        }
        catch (WireCodecException error)
        {
            Violate(SimulatorViolations.WireCodec, $"for c{request.ClientId}: {error.Message}");
            return;
        }
        RunWorkload(workload => workload.OnResponse(_workloadContext, request, body));
    }

    private void WakeWorkload(long atMs)
    {
        if (!_workloadWakes.Contains(atMs)) return;
        _workloadWakes.RemoveWhere(t => t <= atMs);
        RunWorkload(workload => workload.OnWake(_workloadContext));
    }

    private ClientRequest SendFromClient(int clientId, int nodeId, ListenerKind listener, short apiVersion, IRequestBody body)
    {
        if (clientId < 1) throw new ArgumentOutOfRangeException(nameof(clientId), clientId, "client ids start at 1");
        SimulatedNode server = NodeById(nodeId);
        var handle = new ClientRequest(clientId, nodeId, _nextClientCorrelationId++, body.ApiKey, apiVersion, _nowMs, body);
        var request = new OutstandingRequest(handle.CorrelationId, body.ApiKey, apiVersion, _nowMs, new ClientRequestTag(handle));
        NetworkAddress client = NetworkAddress.Client(clientId);
        if (!server.IsRunning)
        {
            Refuse(client, 0, nodeId, request);
            return handle;
        }
        var key = (clientId, nodeId, listener);
        if (!_clientConnections.TryGetValue(key, out Connection? connection) || !IsUsable(connection, server))
            _clientConnections[key] = connection = Open(client, 0, server, listener, $"client-{clientId}");
        SendOn(connection, request, body, _options.ClientRequestTimeoutMs);
        return handle;
    }

    /// <summary>The client's connection to the node that carries <paramref name="request"/> (looked up by key, never by enumeration), closed at the client.</summary>
    private void GiveUpClientRequest(ClientRequest request)
    {
        foreach (ListenerKind listener in new[] { ListenerKind.Broker, ListenerKind.Controller })
        {
            if (!_clientConnections.TryGetValue((request.ClientId, request.NodeId, listener), out Connection? connection)
                || !connection.ClientOpen || !connection.Outstanding.Remove(request.CorrelationId)) continue;
            CloseAtClient(connection);
            return;
        }
    }

    private sealed class WorkloadContext(SimulatedCluster cluster) : IWorkloadContext
    {
        private readonly IDeterministicRandom _random = cluster._streams.Stream("workload");

        public long NowMs => cluster._nowMs;

        public IDeterministicRandom Random => _random;

        public IReadOnlyList<int> NodeIds { get; } = cluster._nodes.Select(n => n.Id).ToList();

        public IReadOnlyList<int> VoterIds { get; } = cluster._nodes.Where(n => n.View.IsVoter).Select(n => n.Id).ToList();

        public ClientRequest Send(int clientId, int nodeId, ListenerKind listener, short apiVersion, IRequestBody body) =>
            cluster.SendFromClient(clientId, nodeId, listener, apiVersion, body);

        public void GiveUp(ClientRequest request) => cluster.GiveUpClientRequest(request);

        public void Record(int clientId, long operationId, HistoryKind kind, string operation, string value)
        {
            if (cluster._pendingHistory.Count >= History.EntriesMax) throw new InvalidOperationException("history entries without bound");
            cluster._pendingHistory.Add(new HistoryEntry(cluster._nowMs, clientId, operationId, kind, operation, value));
        }

        public void WakeAt(long atMs)
        {
            long dueMs = Math.Max(atMs, cluster._nowMs);
            if (cluster._workloadWakes.Add(dueMs)) cluster._agenda.Schedule(dueMs, cluster._nowMs, new AgendaEvent.WorkloadWake(dueMs));
        }
    }
}
