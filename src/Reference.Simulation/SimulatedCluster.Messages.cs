using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Cluster;
using Reference.Simulation.Monitors;
using Reference.Simulation.Network;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Traces;

namespace Reference.Simulation;

/// <summary>
/// Connections and messages. A client (a node's peer client or a workload client) sends on its connection to
/// a server node; the request reaches the server after the network's delay and waits until the server's core
/// has answered the request before it (one at a time per connection, as a Kafka broker mutes a channel); the
/// answer travels back and completes the request, unless the client's timeout fired first. A timeout closes
/// the connection, as Kafka's NetworkClient does: the client's other requests on it fail as disconnected, and
/// the server sees the close after everything the client sent before it.
/// </summary>
public sealed partial class SimulatedCluster
{
    /// <summary>Requests one client has outstanding on one connection at most.</summary>
    private const int OutstandingPerConnectionMax = 10_000;

    /// <summary>Open connections by id, for the servers' answers and closes. Sorted, so a crash closes them in id order.</summary>
    private readonly SortedDictionary<long, Connection> _serverConnections = new();

    /// <summary>Workload clients' current connections. Looked up, never enumerated.</summary>
    private readonly Dictionary<(int ClientId, int NodeId, ListenerKind Listener), Connection> _clientConnections = new();

    private long _nextConnectionId = 1;
    private int _nextClientCorrelationId = 1;

    private Connection Open(NetworkAddress client, int clientIncarnation, SimulatedNode server, ListenerKind listener, string clientId)
    {
        var connection = new Connection(new ConnectionId(_nextConnectionId++), client, clientIncarnation, server.Id, server.View.Incarnation, listener, clientId);
        _serverConnections[connection.Id.Value] = connection;
        return connection;
    }

    private static bool IsUsable(Connection connection, SimulatedNode server) =>
        connection.ClientOpen && server.IsRunning && connection.ServerIncarnation == server.View.Incarnation;

    private void SendFromNode(SimulatedNode node, NodeEffect.SendRequest send)
    {
        if (send.ToNodeId == node.Id || send.ToNodeId < 1 || send.ToNodeId > _nodes.Count)
        {
            Violate(SimulatorViolations.ShellContract, send.ToNodeId == node.Id
                ? $"n{node.Id} sent {send.Body.ApiKey} to itself through the shell; a request to self stays in the node"
                : $"n{node.Id} sent {send.Body.ApiKey} to n{send.ToNodeId}, which does not exist");
            return;
        }
        SimulatedNode server = NodeById(send.ToNodeId);
        var request = new OutstandingRequest(send.CorrelationId, send.Body.ApiKey, send.ApiVersion, _nowMs, null);
        NetworkAddress client = NetworkAddress.Node(node.Id);
        if (!server.IsRunning)
        {
            Refuse(client, node.View.Incarnation, server.Id, request);
            return;
        }
        var key = (server.Id, PeerChannels.For(send.Body));
        if (!node.PeerConnections.TryGetValue(key, out Connection? connection) || !IsUsable(connection, server))
            node.PeerConnections[key] = connection = Open(client, node.View.Incarnation, server, ListenerKind.Controller, $"node-{node.Id}");
        SendOn(connection, request, send.Body, node.View.Config.QuorumRequestTimeoutMs);
    }

    /// <summary>Nobody listens: the connection attempt fails after a round trip.</summary>
    private void Refuse(NetworkAddress client, int clientIncarnation, int serverNodeId, OutstandingRequest request) =>
        _agenda.Schedule(_nowMs + 2 * _knobs.LatencyMinMs + 1, _nowMs,
            new AgendaEvent.RequestFails(client, clientIncarnation, serverNodeId, request, "refused"));

    private void SendOn(Connection connection, OutstandingRequest request, IRequestBody body, long timeoutMs)
    {
        if (connection.Outstanding.ContainsKey(request.CorrelationId) || connection.Outstanding.Count >= OutstandingPerConnectionMax)
        {
            Violate(connection.Outstanding.Count >= OutstandingPerConnectionMax ? SimulatorViolations.Bound : SimulatorViolations.ShellContract,
                $"{connection.Client} sent correlation id {request.CorrelationId} on {connection.Id} with {connection.Outstanding.Count} outstanding (reused or too many)");
            return;
        }
        byte[] frame;
        try
        {
            frame = WireFrames.Request(request.CorrelationId, request.ApiVersion, connection.ClientId, body);
        }
        catch (Exception error) when (error is not EventQueueFullException)
        {
            Violate(SimulatorViolations.WireCodec, $"{connection.Client}'s {request.ApiKey} v{request.ApiVersion} does not encode: {error.Message}");
            return;
        }
        connection.Outstanding[request.CorrelationId] = request;
        _agenda.Schedule(_nowMs + timeoutMs, _nowMs, new AgendaEvent.RequestDeadline(connection, request.CorrelationId));
        Transmission transmission = _network.Transmit(connection.Client, NetworkAddress.Node(connection.ServerNodeId), _nowMs, ref connection.LastArrivalAtServerMs);
        var arrived = new ArrivedRequest(request.CorrelationId, request.ApiKey, request.ApiVersion, frame);
        if (!Arrives(transmission)) return;
        _agenda.Schedule(transmission.ArrivalMs, _nowMs, new AgendaEvent.RequestArrives(connection, arrived));
        if (DuplicateArrival(transmission) is long duplicateMs) _agenda.Schedule(duplicateMs, _nowMs, new AgendaEvent.RequestArrives(connection, arrived));
    }

    /// <summary>
    /// Whether a transmitted message arrives at all (at <see cref="Transmission.ArrivalMs"/>), counting its loss
    /// or its reordering. Then <see cref="DuplicateArrival"/>: two calls rather than an iterator over the
    /// arrival times, which cost an allocation per message.
    /// </summary>
    private bool Arrives(Transmission transmission)
    {
        if (transmission.Lost)
        {
            if (transmission.LossCause == "loss") _coverage.Reached(CoverageGoals.MessageLost);
            return false;
        }
        if (transmission.Reordered) _coverage.Reached(CoverageGoals.MessageReordered);
        return true;
    }

    /// <summary>When the message arrives a second time, if the network duplicated it (counted).</summary>
    private long? DuplicateArrival(Transmission transmission)
    {
        if (transmission.DuplicateArrivalMs is not long duplicateMs) return null;
        _coverage.Reached(CoverageGoals.MessageDuplicated);
        return duplicateMs;
    }

    private void ArriveAtServer(AgendaEvent.RequestArrives arrival)
    {
        Connection connection = arrival.Connection;
        SimulatedNode server = NodeById(connection.ServerNodeId);
        if (!connection.ServerOpen || !IsCurrent(server, connection.ServerIncarnation)) return;
        if (connection.InCore is null && connection.Waiting.Count == 0)
        {
            connection.InCore = arrival.Request;
            DeliverRequest(server, connection, arrival.Request);
            return;
        }
        if (connection.Waiting.Count >= Connection.WaitingRequestsMax)
        {
            Violate(SimulatorViolations.Bound, $"more than {Connection.WaitingRequestsMax} requests queued on {connection}: its client never waits for answers");
            return;
        }
        connection.Waiting.Enqueue(arrival.Request);
    }

    private void ServeNext(Connection connection)
    {
        SimulatedNode server = NodeById(connection.ServerNodeId);
        if (!connection.ServerOpen || !IsCurrent(server, connection.ServerIncarnation) || connection.InCore is not null) return;
        if (!connection.Waiting.TryDequeue(out ArrivedRequest? next)) return;
        connection.InCore = next;
        DeliverRequest(server, connection, next);
    }

    private void DeliverRequest(SimulatedNode server, Connection connection, ArrivedRequest request) =>
        Deliver(server, new TraceInput.Request(connection.Id.Value, connection.Listener, connection.ClientHost, request.Frame));

    private void Respond(SimulatedNode node, NodeEffect.Respond respond)
    {
        long id = respond.Context.Connection.Value;
        if (id <= 0 || id >= _nextConnectionId)
        {
            Violate(SimulatorViolations.ShellContract, $"n{node.Id} answered on {respond.Context.Connection}, which the shell never opened (a loopback answer must stay in the node)");
            return;
        }
        // A connection closed since the request came in: the answer has nowhere to go.
        if (!_serverConnections.TryGetValue(id, out Connection? connection)) return;
        ArrivedRequest? inCore = connection.InCore;
        if (connection.ServerNodeId != node.Id || inCore is null || inCore.CorrelationId != respond.Context.CorrelationId
            || inCore.ApiKey != respond.Body.ApiKey || inCore.ApiVersion != respond.Context.ApiVersion)
        {
            Violate(SimulatorViolations.ShellContract, $"n{node.Id} answered {respond.Body.ApiKey} v{respond.Context.ApiVersion} correlation id " +
                $"{respond.Context.CorrelationId} on {connection}, which holds {(inCore is null ? "no request" : $"{inCore.ApiKey} v{inCore.ApiVersion} correlation id {inCore.CorrelationId}")}");
            return;
        }
        byte[] frame;
        try
        {
            frame = WireFrames.Response(inCore.CorrelationId, inCore.ApiVersion, respond.Body);
        }
        catch (Exception error) when (error is not EventQueueFullException)
        {
            Violate(SimulatorViolations.WireCodec, $"n{node.Id}'s {inCore.ApiKey} v{inCore.ApiVersion} response does not encode: {error.Message}");
            return;
        }
        connection.InCore = null;
        if (connection.Waiting.Count > 0) _agenda.Schedule(_nowMs, _nowMs, new AgendaEvent.ServeNext(connection));
        Transmission transmission = _network.Transmit(NetworkAddress.Node(node.Id), connection.Client, _nowMs, ref connection.LastArrivalAtClientMs);
        if (!Arrives(transmission)) return;
        _agenda.Schedule(transmission.ArrivalMs, _nowMs, new AgendaEvent.ResponseArrives(connection, inCore.CorrelationId, frame));
        if (DuplicateArrival(transmission) is long duplicateMs) _agenda.Schedule(duplicateMs, _nowMs, new AgendaEvent.ResponseArrives(connection, inCore.CorrelationId, frame));
    }

    private void ArriveAtClient(AgendaEvent.ResponseArrives response)
    {
        Connection connection = response.Connection;
        if (!connection.ClientOpen || !connection.Outstanding.Remove(response.CorrelationId, out OutstandingRequest? request)) return;
        if (request.Client is { } tag)
        {
            DeliverToWorkload(tag.Request, response.Frame);
            return;
        }
        SimulatedNode node = NodeById(connection.Client.Id);
        if (!IsCurrent(node, connection.ClientIncarnation)) return;
        Deliver(node, new TraceInput.Response(connection.ServerNodeId, request.CorrelationId, request.ApiKey, request.ApiVersion, response.Frame));
    }

    private void ExpireRequest(AgendaEvent.RequestDeadline deadline)
    {
        Connection connection = deadline.Connection;
        if (!connection.ClientOpen || !connection.Outstanding.Remove(deadline.CorrelationId, out OutstandingRequest? request)) return;
        _coverage.Reached(CoverageGoals.RequestTimedOut);
        CloseAtClient(connection);
        FailRequest(connection.Client, connection.ClientIncarnation, connection.ServerNodeId, request, "timeout");
    }

    /// <summary>The client gives up on the connection: its other requests fail as disconnected, one event each, and the server will see the close.</summary>
    private void CloseAtClient(Connection connection)
    {
        List<OutstandingRequest> others = connection.Outstanding.Values.ToList();
        connection.CloseClientSide();
        foreach (OutstandingRequest other in others)
            _agenda.Schedule(_nowMs, _nowMs, new AgendaEvent.RequestFails(connection.Client, connection.ClientIncarnation, connection.ServerNodeId, other, "disconnected"));
        if (connection.ServerOpen)
            _agenda.Schedule(Math.Max(_nowMs, connection.LastArrivalAtServerMs) + 1, _nowMs, new AgendaEvent.ServerSeesClose(connection));
    }

    /// <summary>The client process is gone: nothing is told on its side; the server sees the close after what was already on the wire.</summary>
    private void AbandonAtClient(Connection connection)
    {
        connection.CloseClientSide();
        if (connection.ServerOpen)
            _agenda.Schedule(Math.Max(_nowMs, connection.LastArrivalAtServerMs) + 1, _nowMs, new AgendaEvent.ServerSeesClose(connection));
    }

    /// <summary>The server process is gone: its side of the connection disappears without a word to the client.</summary>
    private void ForgetAtServer(Connection connection)
    {
        connection.CloseServerSide();
        _serverConnections.Remove(connection.Id.Value);
    }

    private void FailAtClient(AgendaEvent.RequestFails failure) =>
        FailRequest(failure.Client, failure.ClientIncarnation, failure.ServerNodeId, failure.Request, failure.Reason);

    private void FailRequest(NetworkAddress client, int clientIncarnation, int serverNodeId, OutstandingRequest request, string reason)
    {
        if (request.Client is { } tag)
        {
            RunWorkload(workload => workload.OnFailure(_workloadContext, tag.Request, reason));
            return;
        }
        SimulatedNode node = NodeById(client.Id);
        if (!IsCurrent(node, clientIncarnation)) return;
        Deliver(node, new TraceInput.Failed(serverNodeId, request.CorrelationId, reason));
    }

    private void SeeCloseAtServer(Connection connection)
    {
        if (!connection.ServerOpen) return;
        connection.CloseServerSide();
        _serverConnections.Remove(connection.Id.Value);
        SimulatedNode server = NodeById(connection.ServerNodeId);
        if (IsCurrent(server, connection.ServerIncarnation)) Deliver(server, new TraceInput.Closed(connection.Id.Value));
    }

    /// <summary>The node closes a connection it serves (Kafka does, on a request it cannot parse); the client learns of it a moment later.</summary>
    private void CloseAtServer(SimulatedNode node, ConnectionId connectionId)
    {
        if (connectionId.Value <= 0 || connectionId.Value >= _nextConnectionId)
        {
            Violate(SimulatorViolations.ShellContract, $"n{node.Id} closed {connectionId}, which the shell never opened");
            return;
        }
        if (!_serverConnections.TryGetValue(connectionId.Value, out Connection? connection)) return;
        if (connection.ServerNodeId != node.Id)
        {
            Violate(SimulatorViolations.ShellContract, $"n{node.Id} closed {connection}, which another node serves");
            return;
        }
        ForgetAtServer(connection);
        _agenda.Schedule(Math.Max(_nowMs, connection.LastArrivalAtClientMs) + 1, _nowMs, new AgendaEvent.ClientSeesReset(connection));
    }

    private void SeeResetAtClient(Connection connection)
    {
        if (connection.ClientOpen) CloseAtClient(connection);
    }
}
