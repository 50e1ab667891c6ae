using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Reference.Broker.Config;
using Reference.Broker.Hosting;
using Reference.Protocol.Framing;

namespace Reference.Broker.Network;

/// <summary>
/// One listener (<c>NAME://host:port</c>): a bound socket and its accept loop. Binding happens in
/// <see cref="Start"/>, so a port in use fails the start at once; each accepted connection runs its own
/// read-answer loop (<see cref="ClientConnection"/>). At most <see cref="ConnectionsMax"/> connections are
/// open at a time; one more is closed on accept, with a log line.
/// </summary>
internal sealed class SocketListener : IAsyncDisposable
{
    /// <summary>Open connections per listener; Kafka's max.connections is unbounded by default, ours is not.</summary>
    public const int ConnectionsMax = 10_000;

    private const int AcceptBacklog = 512;

    private readonly Socket _socket;
    private readonly ListenerConfig _config;
    private readonly ApiVersionTable _table;
    private readonly int _frameBytesMax;
    private readonly INodeInbox _inbox;
    private readonly BrokerLog _log;
    private readonly Func<long> _clockMs;
    private readonly ConcurrentDictionary<ClientConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;

    private SocketListener(Socket socket, ListenerConfig config, int frameBytesMax, INodeInbox inbox, BrokerLog log, Func<long> clockMs)
    {
        _socket = socket;
        _config = config;
        _table = config.Kind == Core.Node.ListenerKind.Controller ? ApiVersionTable.ControllerListener : ApiVersionTable.BrokerListener;
        _frameBytesMax = frameBytesMax;
        _inbox = inbox;
        _log = log;
        _clockMs = clockMs;
    }

    /// <summary>Where the listener is bound (its real port when the configuration said 0).</summary>
    public IPEndPoint BoundEndpoint => (IPEndPoint)_socket.LocalEndPoint!;

    public ListenerConfig Config => _config;

    public static SocketListener Start(ListenerConfig config, int frameBytesMax, INodeInbox inbox, BrokerLog log, Func<long> clockMs)
    {
        IPEndPoint endpoint = BindAddress(config);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(endpoint);
            socket.Listen(AcceptBacklog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var listener = new SocketListener(socket, config, frameBytesMax, inbox, log, clockMs);
        listener._acceptLoop = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _socket.Dispose();
        await _acceptLoop;
        foreach (ClientConnection connection in _connections.Keys) connection.Close();
        await Task.WhenAll(_connections.Values);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stopping.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue;
            }
            if (_connections.Count >= ConnectionsMax)
            {
                _log.Warn("SocketServer", $"Refusing a connection on {_config.Name}: {ConnectionsMax} are open.");
                accepted.Dispose();
                continue;
            }
            var connection = new ClientConnection(accepted, _config.Kind, _table, _frameBytesMax, _inbox, _log, _clockMs);
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = RunConnectionAsync(connection, registered.Task);
            registered.SetResult();
        }
    }

    /// <summary>Runs a connection once it is in the table, so its removal can never come before its addition.</summary>
    private async Task RunConnectionAsync(ClientConnection connection, Task registered)
    {
        await registered;
        await connection.RunAsync();
        _connections.TryRemove(connection, out _);
    }

    /// <summary>An empty host binds every interface (IPv6 and IPv4 where the system has both), as Kafka does.</summary>
    private static IPEndPoint BindAddress(ListenerConfig config)
    {
        if (config.BindsAllInterfaces)
            return new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, config.Port);
        if (IPAddress.TryParse(config.Host, out IPAddress? address)) return new IPEndPoint(address, config.Port);
        IPAddress[] addresses = Dns.GetHostAddresses(config.Host);
        IPAddress chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
        return new IPEndPoint(chosen, config.Port);
    }
}
