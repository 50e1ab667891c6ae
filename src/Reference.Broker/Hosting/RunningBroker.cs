using Reference.Broker.Network;
using Reference.Broker.Storage;

namespace Reference.Broker.Hosting;

/// <summary>A started broker: where it listens, and how to stop it.</summary>
public sealed class RunningBroker : IAsyncDisposable
{
    private readonly EventLoop _loop;
    private readonly DiskLogStorage _storage;
    private readonly PeerClient _peers;
    private readonly IReadOnlyList<SocketListener> _listeners;
    private readonly BrokerLog _log;
    private Task<int>? _stopping;

    internal RunningBroker(EventLoop loop, DiskLogStorage storage, PeerClient peers, IReadOnlyList<SocketListener> listeners, BrokerLog log)
    {
        _loop = loop;
        _storage = storage;
        _peers = peers;
        _listeners = listeners;
        _log = log;
        Listeners = listeners.Select(l => new BoundListener(l.Config, l.BoundEndpoint)).ToList();
    }

    public IReadOnlyList<BoundListener> Listeners { get; }

    /// <summary>Completes if the broker stops by itself, with the reason (a storage failure, a core bug).</summary>
    public Task<string?> Failed => _loop.Stopped;

    /// <summary>
    /// Stops gracefully: stop accepting and close connections, let the node finish its current step, wait
    /// for queued fsyncs, flush every log and leave the clean-shutdown marker. After a failure the marker is
    /// not written, so the next start checks every batch. Returns the exit code (0, or 1 after a failure).
    /// </summary>
    public Task<int> StopAsync() => _stopping ??= StopOnceAsync();

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task<int> StopOnceAsync()
    {
        _log.Info("BrokerServer", "Shutting down.");
        foreach (SocketListener listener in _listeners) await listener.DisposeAsync();
        _loop.RequestStop();
        string? failure = await _loop.Stopped;
        await _peers.DisposeAsync();
        _loop.DisposeFlusher();
        if (failure is null)
        {
            try
            {
                _storage.Close();
                _log.Info("BrokerServer", "Shut down cleanly.");
                return 0;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                failure = $"the final flush failed: {error.Message}";
            }
        }
        _storage.Dispose();
        _log.Error("BrokerServer", $"Stopped: {failure}");
        return 1;
    }
}
