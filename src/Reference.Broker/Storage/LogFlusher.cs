namespace Reference.Broker.Storage;

/// <summary>
/// The one thread that runs fsyncs, so the event loop never waits on the disk for durability. Tickets run
/// in the order they were handed in; each finished one (or the error that ends the broker) is reported
/// through <c>completed</c>, which the host turns into an event-loop input. The queue is bounded by the
/// number of logs: a log has at most one ticket waiting, which absorbs later flushes of it (FlushTicket).
/// </summary>
internal sealed class LogFlusher : IDisposable
{
    private readonly Queue<FlushTicket> _queue = new();
    private readonly Action<FlushTicket, Exception?> _completed;
    private readonly Thread _thread;
    private bool _stopping;

    public LogFlusher(Action<FlushTicket, Exception?> completed)
    {
        _completed = completed;
        _thread = new Thread(Run) { IsBackground = true, Name = "log-flusher" };
        _thread.Start();
    }

    public void Enqueue(FlushTicket ticket)
    {
        lock (_queue)
        {
            _queue.Enqueue(ticket);
            Monitor.Pulse(_queue);
        }
    }

    /// <summary>Finishes the tickets already queued, then stops the thread.</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            _stopping = true;
            Monitor.Pulse(_queue);
        }
        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            FlushTicket ticket;
            lock (_queue)
            {
                while (_queue.Count == 0 && !_stopping) Monitor.Wait(_queue);
                if (_queue.Count == 0) return;
                ticket = _queue.Dequeue();
            }
            Exception? failure = null;
            try
            {
                ticket.Execute();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                failure = error;
            }
            _completed(ticket, failure);
        }
    }
}
