using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Reference.Client.Errors;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Client.Network;

/// <summary>
/// One TCP connection to one broker. Requests are pipelined: each gets a correlation id, goes out as soon
/// as the socket is free, and is matched to its response by that id on a single read loop. The connection
/// opens with ApiVersions and from then on sends every API in the highest version both sides support.
/// Once it fails (the broker closed it, a frame was bad, a request timed out) it stays failed and every
/// waiting request fails with the same one-line reason; the owner opens a new one.
/// </summary>
public sealed class BrokerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ClientOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _inFlightSlots;
    private readonly ConcurrentDictionary<int, PendingResponse> _pending = new();
    private readonly Task _readLoop;
    private int _lastCorrelationId;
    private KafkaClientException? _failure;

    private BrokerConnection(Socket socket, BrokerEndpoint endpoint, ClientOptions options)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _options = options;
        _inFlightSlots = new SemaphoreSlim(options.InFlightRequestsMax, options.InFlightRequestsMax);
        Endpoint = endpoint;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public BrokerEndpoint Endpoint { get; }

    /// <summary>The version per API this connection speaks, fixed by the ApiVersions exchange on connect.</summary>
    public NegotiatedVersions Versions { get; private set; } = NegotiatedVersions.Negotiate([]);

    public bool IsOpen => Volatile.Read(ref _failure) is null;

    /// <summary>Connects and negotiates versions; throws <see cref="KafkaConnectionException"/> with a line a user can act on.</summary>
    public static async Task<BrokerConnection> ConnectAsync(BrokerEndpoint endpoint, ClientOptions options, CancellationToken cancellationToken)
    {
        Socket socket = await OpenSocketAsync(endpoint, options, cancellationToken);
        var connection = new BrokerConnection(socket, endpoint, options);
        try
        {
            connection.Versions = await ApiVersionsExchange.RunAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public short VersionFor(ApiKey key) => Versions.For(key, Endpoint.ToString());

    /// <summary>Sends a request and waits for its decoded response.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IRequestBody request, short version, CancellationToken cancellationToken, int? timeoutMs = null)
        where TResponse : class, IResponseBody
    {
        byte[] frame = await SendForFrameAsync(request, version, cancellationToken, timeoutMs);
        ResponseDecodeResult decoded = ResponseDecoder.Decode(frame, request.ApiKey, version);
        if (!decoded.IsSuccess) throw new KafkaProtocolException($"The broker at {Endpoint} sent a response this client cannot read: {decoded.Error}");
        return decoded.Response!.Body as TResponse
            ?? throw new KafkaProtocolException($"The response to {request.ApiKey} from {Endpoint} is a {decoded.Response.Body.GetType().Name}, not a {typeof(TResponse).Name}.");
    }

    /// <summary>Sends a request the broker does not answer (Produce with acks=0).</summary>
    public async Task SendWithoutResponseAsync(IRequestBody request, short version, CancellationToken cancellationToken)
    {
        await _inFlightSlots.WaitAsync(cancellationToken);
        try
        {
            await WriteFrameAsync(request, version, expectResponse: false);
        }
        finally
        {
            _inFlightSlots.Release();
        }
    }

    /// <summary>Sends a request and returns the raw response frame (after the size prefix).</summary>
    internal async Task<byte[]> SendForFrameAsync(IRequestBody request, short version, CancellationToken cancellationToken, int? timeoutMs)
    {
        await _inFlightSlots.WaitAsync(cancellationToken);
        try
        {
            PendingResponse pending = await WriteFrameAsync(request, version, expectResponse: true);
            int waitMs = timeoutMs ?? _options.RequestTimeoutMs;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(waitMs);
            try
            {
                return await pending.Frame.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Kafka's NetworkClient closes a connection on a request timeout: the stream's position
                // is unknown, and a late response must not be taken for a newer request's.
                var timedOut = new KafkaTimeoutException(
                    $"{request.ApiKey} request to {Endpoint} timed out after {waitMs} ms: the broker may be overloaded or stuck.");
                Fail(new KafkaConnectionException(Endpoint.ToString(), $"Connection to {Endpoint} was closed after a request timed out."));
                throw timedOut;
            }
            // A caller that cancels leaves its entry: the response still arrives and is dropped.
        }
        finally
        {
            _inFlightSlots.Release();
        }
    }

    private async Task<PendingResponse> WriteFrameAsync(IRequestBody request, short version, bool expectResponse)
    {
        ThrowIfFailed();
        int correlationId = Interlocked.Increment(ref _lastCorrelationId);
        var header = new RequestHeader
        {
            RequestApiKey = (short)request.ApiKey,
            RequestApiVersion = version,
            CorrelationId = correlationId,
            ClientId = _options.ClientId,
        };
        byte[] frame = FrameEncoder.Request(header, request);
        var pending = new PendingResponse();
        if (expectResponse) _pending[correlationId] = pending;
        // Writes are not cancellable: a frame cut in half would corrupt the stream for everyone.
        await _writeLock.WaitAsync(CancellationToken.None);
        try
        {
            ThrowIfFailed();
            await _stream.WriteAsync(frame, CancellationToken.None);
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException)
        {
            Fail(Lost(error));
            ThrowIfFailed();
        }
        finally
        {
            _writeLock.Release();
        }
        return pending;
    }

    private async Task ReadLoopAsync()
    {
        byte[] sizeBytes = new byte[4];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(sizeBytes);
                int size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
                if (size < 4 || size > _options.ResponseSizeBytesMax)
                    throw new KafkaProtocolException($"The broker at {Endpoint} sent a frame of {size} bytes (allowed: 4 to {_options.ResponseSizeBytesMax}); closing the connection.");
                byte[] frame = new byte[size];
                await _stream.ReadExactlyAsync(frame);
                int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
                if (!_pending.TryRemove(correlationId, out PendingResponse? pending))
                    throw new KafkaProtocolException($"The broker at {Endpoint} answered correlation id {correlationId}, which no request is waiting for.");
                pending.Frame.TrySetResult(frame);
            }
        }
        catch (KafkaClientException error)
        {
            Fail(error);
        }
        catch (Exception error)
        {
            Fail(Lost(error));
        }
    }

    private KafkaConnectionException Lost(Exception error) =>
        error is EndOfStreamException
            ? new KafkaConnectionException(Endpoint.ToString(), $"Connection to {Endpoint} was closed by the broker.", error)
            : new KafkaConnectionException(Endpoint.ToString(), $"Connection to {Endpoint} was lost: {error.Message}", error);

    private void Fail(KafkaClientException reason)
    {
        if (Interlocked.CompareExchange(ref _failure, reason, null) is not null) return;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        _socket.Close();
        foreach (int correlationId in _pending.Keys)
            if (_pending.TryRemove(correlationId, out PendingResponse? pending)) pending.Frame.TrySetException(reason);
    }

    private void ThrowIfFailed()
    {
        KafkaClientException? failure = Volatile.Read(ref _failure);
        if (failure is null) return;
        throw failure switch
        {
            KafkaConnectionException connection => new KafkaConnectionException(connection.Endpoint, connection.Message, connection),
            _ => new KafkaConnectionException(Endpoint.ToString(), failure.Message, failure),
        };
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new KafkaConnectionException(Endpoint.ToString(), $"Connection to {Endpoint} was closed by this client."));
        try
        {
            await _readLoop;
        }
        catch (Exception) { }
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private static async Task<Socket> OpenSocketAsync(BrokerEndpoint endpoint, ClientOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeoutMs);
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            return socket;
        }
        catch (Exception error)
        {
            socket.Dispose();
            if (error is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
            throw ConnectFailure(endpoint, options, error);
        }
    }

    private static KafkaConnectionException ConnectFailure(BrokerEndpoint endpoint, ClientOptions options, Exception error)
    {
        string message = error switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
                $"Connection to {endpoint} refused: is the broker running?",
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
                $"Cannot resolve the broker host '{endpoint.Host}': check the address in --bootstrap-server.",
            OperationCanceledException =>
                $"Connection to {endpoint} timed out after {options.ConnectTimeoutMs} ms: is the address right and the broker reachable?",
            _ => $"Cannot connect to {endpoint}: {error.Message}",
        };
        return new KafkaConnectionException(endpoint.ToString(), message, error);
    }

    /// <summary>A request waiting for its response frame.</summary>
    private sealed class PendingResponse
    {
        public TaskCompletionSource<byte[]> Frame { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
