using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Reference.Client.Network;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Client.Tests.Responder;

/// <summary>An answer from the script: a body, written in the request's version unless <see cref="AsVersion"/> says otherwise.</summary>
public sealed record Reply(IResponseBody Body, short? AsVersion = null);

/// <summary>
/// A TEST RESPONDER, not a broker: it listens on 127.0.0.1, decodes each request with our protocol codec,
/// records it, and answers whatever the test's script returns (nothing when the script returns null, as
/// for Produce with acks=0). ApiVersions is answered from <see cref="Versions"/> unless the script
/// answers it. It lets tests check the exact requests the client sends, in order.
/// </summary>
public sealed class ScriptedResponder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<DecodedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    public ScriptedResponder(Func<DecodedRequest, Reply?> script)
    {
        Script = script;
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public Func<DecodedRequest, Reply?> Script { get; set; }

    /// <summary>What this responder lists in its ApiVersions answer.</summary>
    public ApiVersionTable Versions { get; set; } = ApiVersionTable.BrokerListener;

    /// <summary>Replaces the advertised ranges of some APIs (to test version negotiation).</summary>
    public Dictionary<ApiKey, (short Min, short Max)> VersionOverrides { get; } = [];

    /// <summary>APIs left out of the ApiVersions answer, as an older broker would (to test a client's fallback).</summary>
    public HashSet<ApiKey> Withheld { get; } = [];

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BootstrapServer => $"127.0.0.1:{Port}";

    public ClusterClient NewClusterClient(string clientId = "test") =>
        new(new ClientOptions { BootstrapServers = [new BrokerEndpoint("127.0.0.1", Port)], ClientId = clientId, RequestTimeoutMs = 10_000 });

    public IReadOnlyList<DecodedRequest> Requests => _requests.ToList();

    /// <summary>The API keys received, in order, leaving out ApiVersions.</summary>
    public IReadOnlyList<ApiKey> ApiSequence => _requests.Where(r => r.ApiKey != ApiKey.ApiVersions).Select(r => r.ApiKey).ToList();

    public IEnumerable<T> Received<T>() where T : IRequestBody => _requests.Select(r => r.Body).OfType<T>();

    /// <summary>Waits (up to 10 s) until a request the client sends without waiting for an answer has arrived.</summary>
    public async Task<T> ReceivedEventuallyAsync<T>() where T : IRequestBody
    {
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            if (Received<T>().FirstOrDefault() is T found) return found;
            await Task.Delay(10);
        }
        throw new TimeoutException($"no {typeof(T).Name} arrived");
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections) _connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            byte[] size = new byte[4];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await stream.ReadExactlyAsync(size, _stop.Token);
                    byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                    await stream.ReadExactlyAsync(frame, _stop.Token);
                    RequestDecodeResult decoded = RequestDecoder.Decode(frame);
                    if (!decoded.IsSuccess) throw new InvalidOperationException($"the client sent a bad frame: {decoded.Error}");
                    DecodedRequest request = decoded.Request!;
                    _requests.Enqueue(request);
                    Reply? reply = Script(request) ?? (request.ApiKey == ApiKey.ApiVersions ? new Reply(ApiVersionsAnswer()) : null);
                    if (reply is null) continue;
                    await stream.WriteAsync(FrameEncoder.Response(request.CorrelationId, reply.AsVersion ?? request.ApiVersion, reply.Body), _stop.Token);
                }
            }
            catch (Exception error) when (error is OperationCanceledException or IOException or EndOfStreamException or SocketException) { }
        }
    }

    private ApiVersionsResponse ApiVersionsAnswer()
    {
        var entries = Versions.ToResponseEntries().Where(entry => !Withheld.Contains((ApiKey)entry.ApiKey)).ToList();
        foreach (var entry in entries)
            if (VersionOverrides.TryGetValue((ApiKey)entry.ApiKey, out var range)) (entry.MinVersion, entry.MaxVersion) = range;
        return new ApiVersionsResponse { ApiKeys = entries };
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] serving;
        lock (_connections) serving = _connections.ToArray();
        await Task.WhenAll(serving);
        _stop.Dispose();
    }
}
