using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Protocol.Messages;

namespace Reference.Client.Network;

/// <summary>
/// A client's view of one cluster: at most one connection per broker address, opened on first use, and
/// the latest metadata. The admin client, producer and consumers share one of these.
/// </summary>
public sealed class ClusterClient : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<BrokerEndpoint, Task<BrokerConnection>> _connections = new();
    private ClusterMetadata? _metadata;

    public ClusterClient(ClientOptions options)
    {
        if (options.BootstrapServers.Count == 0) throw new ArgumentException("at least one bootstrap server is needed", nameof(options));
        Options = options;
    }

    public ClientOptions Options { get; }

    /// <summary>The metadata last fetched (topics accumulate over fetches), or null before the first.</summary>
    public ClusterMetadata? CachedMetadata => Volatile.Read(ref _metadata);

    /// <summary>
    /// A connection to any broker: an open one if there is one, else the bootstrap servers and then the
    /// brokers metadata named, each tried in turn, for up to <see cref="ClientOptions.AttemptsMax"/> rounds.
    /// When every one fails, the first failure is thrown, so a single bootstrap server's error reads as it is.
    /// </summary>
    public async Task<BrokerConnection> ConnectToAnyAsync(CancellationToken cancellationToken)
    {
        BrokerConnection? open = OpenConnections().FirstOrDefault();
        if (open is not null) return open;
        var candidates = Options.BootstrapServers
            .Concat(CachedMetadata?.Brokers.Select(b => b.Endpoint) ?? [])
            .Distinct()
            .ToList();
        KafkaConnectionException? firstFailure = null;
        for (int attempt = 1; attempt <= Options.AttemptsMax; attempt++)
        {
            foreach (BrokerEndpoint endpoint in candidates)
            {
                try
                {
                    return await ConnectAsync(endpoint, cancellationToken);
                }
                catch (KafkaConnectionException failure)
                {
                    firstFailure ??= failure;
                }
            }
            if (attempt < Options.AttemptsMax) await Task.Delay(Options.RetryBackoffMs, cancellationToken);
        }
        throw firstFailure!;
    }

    /// <summary>A connection to the broker with this node id, looking it up in metadata (refreshed once if unknown).</summary>
    public async Task<BrokerConnection> ConnectToNodeAsync(int nodeId, CancellationToken cancellationToken)
    {
        BrokerNode? node = CachedMetadata?.Broker(nodeId);
        if (node is null)
        {
            ClusterMetadata fresh = await RefreshMetadataAsync([], allowAutoTopicCreation: false, cancellationToken);
            node = fresh.Broker(nodeId)
                ?? throw new KafkaClientException($"Broker {nodeId} is not in the cluster's metadata: it may have left the cluster.");
        }
        return await ConnectAsync(node.Endpoint, cancellationToken);
    }

    /// <summary>The pooled connection to an address, opening (or reopening) it when needed.</summary>
    public async Task<BrokerConnection> ConnectAsync(BrokerEndpoint endpoint, CancellationToken cancellationToken)
    {
        Task<BrokerConnection> connecting;
        lock (_lock)
        {
            if (!_connections.TryGetValue(endpoint, out connecting!) || IsDead(connecting))
            {
                if (connecting is { IsCompletedSuccessfully: true }) _ = connecting.Result.DisposeAsync();
                // Not tied to the caller's token: other callers may share this connection attempt. The
                // attempt has its own bound (ClientOptions.ConnectTimeoutMs).
                connecting = BrokerConnection.ConnectAsync(endpoint, Options, CancellationToken.None);
                _connections[endpoint] = connecting;
            }
        }
        return await connecting.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Asks any broker for metadata: all topics when <paramref name="topics"/> is null, none (brokers and
    /// controller only) when it is empty.
    /// </summary>
    public async Task<ClusterMetadata> RefreshMetadataAsync(IReadOnlyCollection<string>? topics, bool allowAutoTopicCreation, CancellationToken cancellationToken)
    {
        BrokerConnection connection = await ConnectToAnyAsync(cancellationToken);
        short version = connection.VersionFor(ApiKey.Metadata);
        var request = new MetadataRequest
        {
            Topics = topics?.Select(name => new MetadataRequest.MetadataRequestTopic { Name = name }).ToList(),
            AllowAutoTopicCreation = allowAutoTopicCreation,
        };
        MetadataResponse response = await connection.SendAsync<MetadataResponse>(request, version, cancellationToken);
        ClusterMetadata fresh = ClusterMetadata.From(response);
        lock (_lock) _metadata = fresh.MergedOver(_metadata);
        return fresh;
    }

    /// <summary>Sends to any broker in the version negotiated with it.</summary>
    public async Task<TResponse> SendToAnyAsync<TResponse>(ApiKey apiKey, Func<short, IRequestBody> build, CancellationToken cancellationToken)
        where TResponse : class, IResponseBody
    {
        BrokerConnection connection = await ConnectToAnyAsync(cancellationToken);
        short version = connection.VersionFor(apiKey);
        return await connection.SendAsync<TResponse>(build(version), version, cancellationToken);
    }

    /// <summary>Sends to one broker in the version negotiated with it.</summary>
    public async Task<TResponse> SendToNodeAsync<TResponse>(int nodeId, ApiKey apiKey, Func<short, IRequestBody> build, CancellationToken cancellationToken)
        where TResponse : class, IResponseBody
    {
        BrokerConnection connection = await ConnectToNodeAsync(nodeId, cancellationToken);
        short version = connection.VersionFor(apiKey);
        return await connection.SendAsync<TResponse>(build(version), version, cancellationToken);
    }

    private List<BrokerConnection> OpenConnections()
    {
        lock (_lock)
        {
            return _connections.Values
                .Where(task => task.IsCompletedSuccessfully && task.Result.IsOpen)
                .Select(task => task.Result)
                .ToList();
        }
    }

    private static bool IsDead(Task<BrokerConnection> connecting) =>
        connecting.IsFaulted || connecting.IsCanceled || (connecting.IsCompletedSuccessfully && !connecting.Result.IsOpen);

    public async ValueTask DisposeAsync()
    {
        List<Task<BrokerConnection>> all;
        lock (_lock)
        {
            all = _connections.Values.ToList();
            _connections.Clear();
        }
        foreach (Task<BrokerConnection> connecting in all)
        {
            if (connecting.IsCompletedSuccessfully) await connecting.Result.DisposeAsync();
            else _ = connecting.ContinueWith(t => t.Result.DisposeAsync(), TaskContinuationOptions.OnlyOnRanToCompletion);
        }
    }
}
