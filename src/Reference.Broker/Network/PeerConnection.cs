using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Reference.Broker.Hosting;
using Reference.Core.Node;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Broker.Network;

/// <summary>
/// The connection to one peer and the requests waiting on it. A sender task writes requests in the order
/// the node sent them; each session (one TCP connection) has a reader that matches answers to requests by
/// correlation id, and a watchdog that ends the session when a request outlives the request timeout.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    /// <summary>Requests queued or awaiting an answer; one more fails at once rather than queueing without end.</summary>
    public const int RequestsInFlightMax = 1024;

    private const int WatchdogIntervalMs = 50;

    private readonly VoterAddress _peer;
    private readonly string _clientId;
    private readonly int _requestTimeoutMs;
    private readonly int _responseBytesMax;
    private readonly INodeInbox _inbox;
    private readonly BrokerLog _log;
    private readonly Channel<NodeEffect.SendRequest> _outgoing = Channel.CreateUnbounded<NodeEffect.SendRequest>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _sender;
    private int _inFlight;
    private string? _stoppedBecause;
    private Session? _session;

    public PeerConnection(VoterAddress peer, string clientId, int requestTimeoutMs, int responseBytesMax, INodeInbox inbox, BrokerLog log)
    {
        _peer = peer;
        _clientId = clientId;
        _requestTimeoutMs = requestTimeoutMs;
        _responseBytesMax = responseBytesMax;
        _inbox = inbox;
        _log = log;
        _sender = Task.Run(SendLoopAsync);
    }

    public string? Send(NodeEffect.SendRequest request)
    {
        if (Interlocked.Increment(ref _inFlight) > RequestsInFlightMax)
        {
            Interlocked.Decrement(ref _inFlight);
            return $"{RequestsInFlightMax} requests to node {_peer.NodeId} are already in flight";
        }
        return _outgoing.Writer.TryWrite(request) ? null : "this node is shutting down";
    }

    public ValueTask DisposeAsync() => StopAsync("this node is shutting down", failQueued: false);

    /// <summary>
    /// Closes this connection while the node runs on (its peer moved to another address): unlike shutting
    /// down, the requests still queued fail too, so each still ends in one input for the node.
    /// </summary>
    public ValueTask RetireAsync(string reason) => StopAsync(reason, failQueued: true);

    private async ValueTask StopAsync(string reason, bool failQueued)
    {
        Volatile.Write(ref _stoppedBecause, reason);
        _outgoing.Writer.TryComplete();
        _stopping.Cancel();
        await _sender;
        if (_session is { } session) await EndSessionAsync(session, reason);
        // Bounded by RequestsInFlightMax: Send admits no more than that.
        while (failQueued && _outgoing.Reader.TryRead(out NodeEffect.SendRequest? queued)) await FailAsync(queued.CorrelationId, reason);
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (NodeEffect.SendRequest request in _outgoing.Reader.ReadAllAsync(_stopping.Token))
            {
                Session? session = _session ?? await ConnectAsync(request);
                if (session is not null) await WriteAsync(session, request);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<Session?> ConnectAsync(NodeEffect.SendRequest request)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_requestTimeoutMs);
            await socket.ConnectAsync(_peer.Host, _peer.Port, timeout.Token);
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            // A connect cut short by StopAsync fails for the reason the connection stopped, not as refused.
            await FailAsync(request.CorrelationId, Volatile.Read(ref _stoppedBecause) ?? $"cannot connect to node {_peer.NodeId} at {_peer.Host}:{_peer.Port}: {error.Message}");
            return null;
        }
        var session = new Session(new NetworkStream(socket, ownsSocket: true));
        _session = session;
        session.Reader = Task.Run(() => ReadLoopAsync(session));
        session.Watchdog = Task.Run(() => WatchLoopAsync(session));
        return session;
    }

    private async Task WriteAsync(Session session, NodeEffect.SendRequest request)
    {
        var header = new RequestHeader
        {
            RequestApiKey = (short)request.Body.ApiKey,
            RequestApiVersion = request.ApiVersion,
            CorrelationId = request.CorrelationId,
            ClientId = _clientId,
        };
        byte[] frame = FrameEncoder.Request(header, request.Body);
        bool sessionEnded;
        lock (session.Pending)
        {
            // EndSessionAsync marks the session ended before it fails what is pending, under this lock.
            sessionEnded = Volatile.Read(ref session.Ended) == 1;
            if (!sessionEnded) session.Pending[request.CorrelationId] = (request.Body.ApiKey, request.ApiVersion, Environment.TickCount64 + _requestTimeoutMs);
        }
        if (sessionEnded)
        {
            await FailAsync(request.CorrelationId, $"connection to node {_peer.NodeId} lost");
            return;
        }
        try
        {
            await session.Stream.WriteAsync(frame, session.Ending.Token);
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await EndSessionAsync(session, $"connection to node {_peer.NodeId} lost: {error.Message}");
        }
    }

    private async Task ReadLoopAsync(Session session)
    {
        var reader = new FrameReader(PipeReader.Create(session.Stream), _responseBytesMax);
        string reason = $"node {_peer.NodeId} closed the connection";
        try
        {
            while (true)
            {
                (FrameReadStatus status, byte[]? frame) = await reader.ReadAsync(session.Ending.Token);
                if (status != FrameReadStatus.Frame)
                {
                    if (status == FrameReadStatus.TooLarge) reason = $"node {_peer.NodeId} sent a {reader.LastClaimedSizeBytes}-byte response, over the limit";
                    break;
                }
                string? problem = await DeliverAsync(session, frame!);
                if (problem is not null)
                {
                    reason = problem;
                    break;
                }
            }
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            reason = $"connection to node {_peer.NodeId} lost: {error.Message}";
        }
        await EndSessionAsync(session, reason);
    }

    /// <summary>Hands one answer to the node; returns why the session must end, or null.</summary>
    private async Task<string?> DeliverAsync(Session session, byte[] frame)
    {
        if (frame.Length < 4) return $"node {_peer.NodeId} sent a frame too short for a response header";
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
        (ApiKey Key, short Version, long DeadlineMs) pending;
        lock (session.Pending)
        {
            if (!session.Pending.Remove(correlationId, out pending)) return $"node {_peer.NodeId} answered correlation id {correlationId}, which was not asked";
        }
        ResponseDecodeResult decoded = ResponseDecoder.Decode(frame, pending.Key, pending.Version);
        if (!decoded.IsSuccess)
        {
            _log.Warn("PeerClient", $"Node {_peer.NodeId}: {decoded.Error}");
            await FailAsync(correlationId, decoded.Error!);
            return decoded.Error;
        }
        Interlocked.Decrement(ref _inFlight);
        await _inbox.PeerRespondedAsync(_peer.NodeId, correlationId, decoded.Response!.Body);
        return null;
    }

    private async Task WatchLoopAsync(Session session)
    {
        try
        {
            while (true)
            {
                await Task.Delay(WatchdogIntervalMs, session.Ending.Token);
                bool expired;
                lock (session.Pending) expired = session.Pending.Values.Any(p => p.DeadlineMs <= Environment.TickCount64);
                if (expired) break;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await EndSessionAsync(session, $"request to node {_peer.NodeId} timed out after {_requestTimeoutMs} ms");
    }

    /// <summary>Closes a session once and fails every request still waiting on it.</summary>
    private async Task EndSessionAsync(Session session, string reason)
    {
        if (Interlocked.Exchange(ref session.Ended, 1) == 1) return;
        Interlocked.CompareExchange(ref _session, null, session);
        session.Ending.Cancel();
        await session.Stream.DisposeAsync();
        int[] failed;
        lock (session.Pending)
        {
            failed = session.Pending.Keys.Order().ToArray();
            session.Pending.Clear();
        }
        foreach (int correlationId in failed) await FailAsync(correlationId, reason);
    }

    private async Task FailAsync(int correlationId, string reason)
    {
        Interlocked.Decrement(ref _inFlight);
        await _inbox.PeerRequestFailedAsync(_peer.NodeId, correlationId, reason);
    }

    private sealed class Session(NetworkStream stream)
    {
        public NetworkStream Stream { get; } = stream;
        public Dictionary<int, (ApiKey Key, short Version, long DeadlineMs)> Pending { get; } = [];
        public CancellationTokenSource Ending { get; } = new();
        public Task Reader { get; set; } = Task.CompletedTask;
        public Task Watchdog { get; set; } = Task.CompletedTask;
        public int Ended;
    }
}
