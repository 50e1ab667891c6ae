using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Reference.Broker.Hosting;
using Reference.Core.Node;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Network;

/// <summary>
/// One client or peer connection accepted on a listener. Kafka's rule that a connection's responses go out
/// in request order is kept by construction: the connection reads one request, hands it to the node, and
/// reads nothing more until that request is answered (<see cref="Answer"/>) and the answer written. While it
/// waits, unread bytes stay in the kernel and TCP pushes back on the client. A request the connection
/// cannot read closes it, as Kafka does, with one log line.
/// </summary>
internal sealed class ClientConnection
{
    private static long s_lastId;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ListenerKind _listener;
    private readonly ApiVersionTable _table;
    private readonly int _frameBytesMax;
    private readonly INodeInbox _inbox;
    private readonly BrokerLog _log;
    private readonly Func<long> _clockMs;
    private readonly CancellationTokenSource _closing = new();
    private readonly object _lock = new();
    private (int CorrelationId, TaskCompletionSource<ProtocolWriter?> Answer)? _awaiting;
    private int _closed;

    public ClientConnection(Socket socket, ListenerKind listener, ApiVersionTable table, int frameBytesMax, INodeInbox inbox,
        BrokerLog log, Func<long> clockMs)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _listener = listener;
        _table = table;
        _frameBytesMax = frameBytesMax;
        _inbox = inbox;
        _log = log;
        _clockMs = clockMs;
        Id = new ConnectionId(Interlocked.Increment(ref s_lastId));
        RemoteHost = (socket.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";
    }

    public ConnectionId Id { get; }

    public string RemoteHost { get; }

    /// <summary>Reads and answers requests until either side closes; never throws.</summary>
    public async Task RunAsync()
    {
        var reader = new FrameReader(PipeReader.Create(_stream), _frameBytesMax);
        try
        {
            while (true)
            {
                (FrameReadStatus status, byte[]? frame) = await reader.ReadAsync(_closing.Token);
                if (status == FrameReadStatus.TooLarge)
                    _log.Warn("SocketServer", $"Closing {Id} from {RemoteHost}: a request of {reader.LastClaimedSizeBytes} bytes is over socket.request.max.bytes={_frameBytesMax}.");
                if (status != FrameReadStatus.Frame || !await HandleFrameAsync(frame!)) break;
            }
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Close();
            await _inbox.ConnectionClosedAsync(Id);
        }
    }

    /// <summary>
    /// Called by the event loop with the answer to the request in flight (null: it gets none, as an acks=0
    /// produce). The connection owns <paramref name="response"/> from here and disposes it once written.
    /// An answer to anything but the request in flight is dropped.
    /// </summary>
    public void Answer(int correlationId, ProtocolWriter? response)
    {
        lock (_lock)
        {
            if (_awaiting is var (awaited, answer) && awaited == correlationId)
            {
                _awaiting = null;
                if (answer.TrySetResult(response)) return;
            }
        }
        response?.Dispose();
    }

    /// <summary>True while <paramref name="correlationId"/> is the request in flight, not yet answered.</summary>
    public bool IsAwaiting(int correlationId)
    {
        lock (_lock) return _awaiting?.CorrelationId == correlationId;
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1) return;
        _closing.Cancel();
        _stream.Dispose();
        lock (_lock)
        {
            _awaiting?.Answer.TrySetResult(null);
            _awaiting = null;
        }
    }

    /// <summary>Returns false when the connection must close.</summary>
    private async ValueTask<bool> HandleFrameAsync(byte[] frame)
    {
        RequestDecodeResult decoded = RequestDecoder.Decode(frame);
        if (decoded.Request is not { } request)
        {
            RequestDecodeError error = decoded.Error!;
            if (error.Failure == RequestDecodeFailure.UnsupportedVersion && error.ApiKey == (short)ApiKey.ApiVersions)
                return await WriteAsync(ShellAnswers.UnsupportedApiVersions(error.CorrelationId, _table));
            _log.Warn("SocketServer", $"Closing {Id} from {RemoteHost}: {error}.");
            return false;
        }
        if (!_table.Supports(request.ApiKey, request.ApiVersion))
        {
            if (request.ApiKey == ApiKey.ApiVersions) return await WriteAsync(ShellAnswers.UnsupportedApiVersions(request.CorrelationId, _table));
            _log.Warn("SocketServer", $"Closing {Id} from {RemoteHost}: {request.ApiKey} v{request.ApiVersion} is not served on the {_listener} listener.");
            return false;
        }
        return await DeliverAndAnswerAsync(request);
    }

    private async ValueTask<bool> DeliverAndAnswerAsync(DecodedRequest request)
    {
        var answer = new TaskCompletionSource<ProtocolWriter?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock) _awaiting = (request.CorrelationId, answer);
        var context = new RequestContext(Id, _listener, request.CorrelationId, request.ApiVersion, request.Header.ClientId, RemoteHost, _clockMs());
        await _inbox.RequestArrivedAsync(this, context, request.Body, _closing.Token);
        using ProtocolWriter? response = await answer.Task;
        if (_closing.IsCancellationRequested) return false;
        if (response is not null) await _stream.WriteAsync(response.WrittenMemory, _closing.Token);
        return true;
    }

    private async ValueTask<bool> WriteAsync(byte[] frame)
    {
        await _stream.WriteAsync(frame, _closing.Token);
        return true;
    }
}
