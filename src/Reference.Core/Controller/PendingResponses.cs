using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// Answers that wait for the metadata log to commit up to an offset (Kafka's <c>DeferredEventQueue</c>): an
/// operation is answered only once its records, and every record written before them, are committed, so a
/// client never hears of a state that a leader change could still undo. Offsets are added in log order, so
/// the queue completes from its head.
/// </summary>
internal sealed class PendingResponses
{
    /// <summary>
    /// Answers allowed to wait at once. Kafka's controller queue has no such bound but times operations out;
    /// ours refuses a new operation at once with the error such a timeout gives (REQUEST_TIMED_OUT).
    /// </summary>
    public const int CountMax = 10_000;

    private readonly Queue<Entry> _entries = new();
    private long _lastOffset = -1;

    private readonly record struct Entry(long Offset, RequestContext Context, IResponseBody OnCommit, Func<IResponseBody> OnLoss);

    public int Count => _entries.Count;

    public bool IsFull => _entries.Count >= CountMax;

    /// <param name="onLoss">Builds the answer if leadership is lost first (NOT_CONTROLLER).</param>
    public void Add(long offset, RequestContext context, IResponseBody onCommit, Func<IResponseBody> onLoss)
    {
        if (offset < _lastOffset) throw new InvalidOperationException($"answers wait in log order: {offset} after {_lastOffset}");
        if (IsFull) throw new InvalidOperationException($"at most {CountMax} answers wait; the caller checks IsFull");
        _entries.Enqueue(new Entry(offset, context, onCommit, onLoss));
        _lastOffset = offset;
    }

    /// <summary>Answers everything waiting for offsets up to <paramref name="committedOffset"/>, in order.</summary>
    public void CompleteUpTo(long committedOffset, Effects effects)
    {
        while (_entries.Count > 0 && _entries.Peek().Offset <= committedOffset)
        {
            Entry entry = _entries.Dequeue();
            effects.Respond(entry.Context, entry.OnCommit);
        }
    }

    /// <summary>Leadership was lost: whatever was not committed may never be; every waiting request is told so.</summary>
    public void FailAll(Effects effects)
    {
        while (_entries.Count > 0)
        {
            Entry entry = _entries.Dequeue();
            effects.Respond(entry.Context, entry.OnLoss());
        }
        _lastOffset = -1;
    }
}
