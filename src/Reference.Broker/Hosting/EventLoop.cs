using System.Threading.Channels;
using Reference.Broker.Network;
using Reference.Broker.Storage;
using Reference.Core;
using Reference.Core.Node;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Hosting;

/// <summary>
/// The one thread that owns the node. It takes one event at a time from a bounded inbox (requests,
/// connection closes, peer answers, finished fsyncs) or from its timer, turns it into a
/// <see cref="NodeInput"/> stamped with a clock that never runs backwards, hands it to the node, and carries
/// out the effects in order before it takes the next event: answers go to their connection's writer,
/// storage effects run here on the disk (a quorum-state write is fsynced before the next effect), fsyncs of
/// logs go to the flusher and come back as LogFlushed. A storage failure or a core that disagrees with the
/// disk stops the broker (fail-stop: serving from a log the core does not describe is worse than stopping).
/// </summary>
internal sealed class EventLoop : INodeInbox
{
    /// <summary>Events waiting for the node; producers wait when it is full (backpressure to sockets and peers).</summary>
    public const int InboxCapacity = 4096;

    /// <summary>Distinct pending wake-up times; more means the node asks for wake-ups it never lets pass.</summary>
    public const int WakeTimesMax = 65_536;

    private readonly Channel<LoopEvent> _inbox = Channel.CreateBounded<LoopEvent>(
        new BoundedChannelOptions(InboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Queue<LoopEvent> _ownEvents = new();
    private readonly Dictionary<ConnectionId, ClientConnection> _connections = [];
    private readonly SortedSet<long> _wakeTimesMs = [];
    private readonly INode _node;
    private readonly DiskLogStorage _storage;
    private readonly LogFlusher _flusher;
    private readonly MonotonicClock _clock;
    private readonly BrokerLog _log;
    private readonly TraceRecorder? _recorder;
    private readonly Thread _thread;
    private readonly TaskCompletionSource<string?> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PeerClient? _peers;
    private Task<bool>? _inboxReadable;
    private long _lastNowMs;
    private string? _fatal;

    /// <param name="recorder">Writes each input and its effects to <c>trace.record.path</c> (disposed when the loop stops); null when not recording.</param>
    public EventLoop(INode node, DiskLogStorage storage, MonotonicClock clock, BrokerLog log, TraceRecorder? recorder = null)
    {
        _node = node;
        _recorder = recorder;
        _storage = storage;
        _clock = clock;
        _log = log;
        _flusher = new LogFlusher((ticket, error) => Post(new LoopEvent.FlushDone(ticket, error)));
        _thread = new Thread(Run) { Name = "event-loop", IsBackground = true };
    }

    /// <summary>Completes when the loop has stopped: null after <see cref="RequestStop"/>, or the reason it failed.</summary>
    public Task<string?> Stopped => _stopped.Task;

    /// <summary>Starts the thread; its first act is to deliver <see cref="NodeInput.Started"/>.</summary>
    public void Start(PeerClient peers)
    {
        _peers = peers;
        _thread.Start();
    }

    public void RequestStop() => Post(new LoopEvent.Stop());

    /// <summary>Waits for the queued fsyncs and stops the flusher (after the loop has stopped).</summary>
    public void DisposeFlusher() => _flusher.Dispose();

    public ValueTask RequestArrivedAsync(ClientConnection connection, RequestContext context, IRequestBody body, CancellationToken cancellationToken) =>
        PostAsync(new LoopEvent.RequestArrived(connection, context, body), cancellationToken);

    public ValueTask ConnectionClosedAsync(ConnectionId connection) => PostAsync(new LoopEvent.ConnectionClosed(connection), default);

    public ValueTask PeerRespondedAsync(int fromNodeId, int correlationId, IResponseBody body) =>
        PostAsync(new LoopEvent.PeerResponded(fromNodeId, correlationId, body), default);

    public ValueTask PeerRequestFailedAsync(int toNodeId, int correlationId, string reason) =>
        PostAsync(new LoopEvent.PeerFailed(toNodeId, correlationId, reason), default);

    private async ValueTask PostAsync(LoopEvent loopEvent, CancellationToken cancellationToken)
    {
        try
        {
            await _inbox.Writer.WriteAsync(loopEvent, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // The loop has stopped; nothing is listening any more.
        }
    }

    /// <summary>From threads that must not wait on the loop asynchronously (the flusher): blocks while the inbox is full.</summary>
    private void Post(LoopEvent loopEvent) => PostAsync(loopEvent, default).AsTask().GetAwaiter().GetResult();

    private void Run()
    {
        try
        {
            Deliver(new NodeInput.Started(Now()));
            while (_fatal is null && NextEvent() is { } next)
            {
                if (next is LoopEvent.Stop) break;
                Process(next);
            }
        }
        catch (Exception error)
        {
            _fatal = error is IOException or UnauthorizedAccessException or InvalidDataException
                ? $"storage failed: {error.Message}"
                : $"the node or the shell failed: {error}";
        }
        _inbox.Writer.TryComplete();
        _recorder?.Dispose();
        _stopped.TrySetResult(_fatal);
    }

    /// <summary>The loop's own events first, then a due wake-up, then the inbox; waits until one of them is there.</summary>
    private LoopEvent? NextEvent()
    {
        while (true)
        {
            if (_ownEvents.TryDequeue(out LoopEvent? own)) return own;
            long now = _clock.NowMs;
            if (_wakeTimesMs.Count > 0 && _wakeTimesMs.Min <= now)
            {
                _wakeTimesMs.RemoveWhere(at => at <= now);
                return new LoopEvent.Wake();
            }
            if (_inbox.Reader.TryRead(out LoopEvent? queued)) return queued;
            int timeoutMs = _wakeTimesMs.Count == 0 ? Timeout.Infinite : (int)Math.Clamp(_wakeTimesMs.Min - now, 1, int.MaxValue);
            // One wait at a time: a wait that timed out is kept and waited on again, not started anew.
            _inboxReadable ??= _inbox.Reader.WaitToReadAsync().AsTask();
            if (!_inboxReadable.Wait(timeoutMs)) continue;
            bool open = _inboxReadable.Result;
            _inboxReadable = null;
            if (!open) return null;
        }
    }

    private void Process(LoopEvent loopEvent)
    {
        switch (loopEvent)
        {
            case LoopEvent.Wake:
                Deliver(new NodeInput.TimeAdvanced(Now()));
                break;
            case LoopEvent.RequestArrived arrived:
                _connections[arrived.Connection.Id] = arrived.Connection;
                Deliver(new NodeInput.RequestReceived(Now(), arrived.Context, arrived.Body));
                AnswerIfNoResponseIsDue(arrived);
                break;
            case LoopEvent.ConnectionClosed closed:
                // A connection that never got a request to the node is unknown to it.
                if (_connections.Remove(closed.Connection)) Deliver(new NodeInput.ConnectionClosed(Now(), closed.Connection));
                break;
            case LoopEvent.PeerResponded responded:
                Deliver(new NodeInput.ResponseReceived(Now(), responded.FromNodeId, responded.CorrelationId, responded.Body));
                break;
            case LoopEvent.PeerFailed failed:
                Deliver(new NodeInput.RequestFailed(Now(), failed.ToNodeId, failed.CorrelationId, failed.Reason));
                break;
            case LoopEvent.NothingToFlush nothing:
                Deliver(new NodeInput.LogFlushed(Now(), nothing.Log, 0));
                break;
            case LoopEvent.FlushDone done:
                if (done.Error is not null) _fatal = $"fsync of {done.Ticket.Log.Partition} failed: {done.Error.Message}";
                else if (_storage.CompleteFlush(done.Ticket) is { } flushed)
                    Deliver(new NodeInput.LogFlushed(Now(), flushed.Log, flushed.DurableEndOffset));
                break;
        }
    }

    /// <summary>
    /// An acks=0 produce gets no response (Kafka's rule); the connection may read on once the node has
    /// taken it. Any other request stays in flight until the node answers it.
    /// </summary>
    private static void AnswerIfNoResponseIsDue(LoopEvent.RequestArrived arrived)
    {
        if (arrived.Body is ProduceRequest { Acks: 0 }) arrived.Connection.Answer(arrived.Context.CorrelationId, null);
    }

    private void Deliver(NodeInput input)
    {
        IReadOnlyList<NodeEffect> effects = _node.Handle(input);
        // Recorded in the order delivered, before the effects are carried out (a crash then loses no step that acted).
        _recorder?.Record(input, effects);
        foreach (NodeEffect effect in effects)
        {
            if (_fatal is not null) return;
            CarryOut(effect);
        }
    }

    private void CarryOut(NodeEffect effect)
    {
        switch (effect)
        {
            case NodeEffect.Respond respond:
                Answer(respond);
                break;
            case NodeEffect.SendRequest send:
                if (_peers!.Send(send) is { } reason) _ownEvents.Enqueue(new LoopEvent.PeerFailed(send.ToNodeId, send.CorrelationId, reason));
                break;
            case NodeEffect.AppendToLog append:
                if (!_storage.Apply(append))
                    _fatal = $"the node appended to {append.Log} at offset {append.BaseOffset}, but the log ends at {_storage.Extent(append.Log).EndOffset}: the core and the disk disagree";
                break;
            case NodeEffect.FlushLog flush:
                Flush(flush);
                break;
            case NodeEffect.WakeAt wake:
                _wakeTimesMs.Add(wake.AtMs);
                if (_wakeTimesMs.Count > WakeTimesMax) _fatal = $"the node asked for more than {WakeTimesMax} distinct wake-ups";
                break;
            case NodeEffect.CloseConnection close:
                if (_connections.TryGetValue(close.Connection, out ClientConnection? connection)) connection.Close();
                break;
            case NodeEffect.TruncateLog or NodeEffect.AdvanceLogStart or NodeEffect.DeleteLog or NodeEffect.TruncateFullyAndStartAt or NodeEffect.DeleteSnapshot:
                _storage.Apply(effect);
                break;
            case NodeEffect.WriteSnapshot:
                // Written to a .part file, fsynced and renamed before it returns: durable before the next effect (KIP-630).
                _storage.Apply(effect);
                break;
            case NodeEffect.PersistQuorumState:
                _storage.Apply(effect); // fsynced before it returns, so before the next effect (a vote's answer) leaves
                break;
            default:
                throw new InvalidOperationException($"the shell does not know the effect {effect.GetType().Name}");
        }
    }

    private void Answer(NodeEffect.Respond respond)
    {
        RequestContext context = respond.Context;
        if (!_connections.TryGetValue(context.Connection, out ClientConnection? connection) || !connection.IsAwaiting(context.CorrelationId)) return;
        var frame = new ProtocolWriter();
        try
        {
            FrameEncoder.WriteResponse(frame, context.CorrelationId, context.ApiVersion, respond.Body);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            frame.Dispose();
            _log.Error("EventLoop", $"Cannot encode the {respond.Body.ApiKey} v{context.ApiVersion} answer to {context.Connection}: {error.Message}; closing it.");
            connection.Close();
            return;
        }
        connection.Answer(context.CorrelationId, frame);
    }

    private void Flush(NodeEffect.FlushLog flush)
    {
        if (_storage.BeginFlush(flush.Log) is { } ticket) _flusher.Enqueue(ticket);
        else if (!_storage.Logs.Contains(flush.Log)) _ownEvents.Enqueue(new LoopEvent.NothingToFlush(flush.Log));
        // Otherwise an fsync of this log that has not started yet took the request over.
    }

    private long Now() => _lastNowMs = Math.Max(_lastNowMs, _clock.NowMs);

    private abstract record LoopEvent
    {
        public sealed record RequestArrived(ClientConnection Connection, RequestContext Context, IRequestBody Body) : LoopEvent;
        public sealed record ConnectionClosed(ConnectionId Connection) : LoopEvent;
        public sealed record PeerResponded(int FromNodeId, int CorrelationId, IResponseBody Body) : LoopEvent;
        public sealed record PeerFailed(int ToNodeId, int CorrelationId, string Reason) : LoopEvent;
        public sealed record FlushDone(FlushTicket Ticket, Exception? Error) : LoopEvent;
        public sealed record NothingToFlush(TopicPartition Log) : LoopEvent;
        public sealed record Wake : LoopEvent;
        public sealed record Stop : LoopEvent;
    }
}
