namespace Reference.Simulation.Scheduling;

/// <summary>When an event fires: its virtual time, then the order it was scheduled in.</summary>
public readonly record struct EventKey(long TimeMs, long Sequence) : IComparable<EventKey>
{
    public int CompareTo(EventKey other)
    {
        int byTime = TimeMs.CompareTo(other.TimeMs);
        return byTime != 0 ? byTime : Sequence.CompareTo(other.Sequence);
    }
}

/// <summary>
/// The simulator's agenda: events ordered by (time, sequence number). Two events at the same millisecond
/// fire in the order they were scheduled, so ties never depend on the heap's internals and a seed always
/// replays the same order. Bounded: a node that floods the network or asks to be woken without end fills
/// it, and that is a finding (<see cref="EventQueueFullException"/>), not a hang.
/// <para>
/// In <paramref name="choosable"/> mode (the explorer's) the events are kept in a list sorted by their key
/// (time, then scheduling order), so any of them can be taken, not only the earliest, and the explorer reads
/// them in the order it offers them without sorting at every step; the list is short (tens of events for a
/// small cluster), so inserting into it beats a heap there.
/// </para>
/// </summary>
public sealed class EventQueue<TEvent>(int capacityMax, bool choosable = false)
{
    private readonly PriorityQueue<TEvent, EventKey> _queue = new();
    private readonly List<(EventKey Key, TEvent Event)> _pending = [];
    private long _nextSequence;

    public int Count => choosable ? _pending.Count : _queue.Count;

    public int CapacityMax { get; } = capacityMax > 0 ? capacityMax : throw new ArgumentOutOfRangeException(nameof(capacityMax));

    /// <summary>True when any pending event may be taken (<see cref="Pending"/>, <see cref="TakeAt"/>).</summary>
    public bool IsChoosable => choosable;

    /// <summary>Every pending event, earliest key first (choosable mode only); valid until the next change to the agenda.</summary>
    public ReadOnlySpan<(EventKey Key, TEvent Event)> Pending => choosable ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending) : throw new InvalidOperationException("not a choosable agenda");

    /// <summary>Schedules an event; times never run backwards, so one in the past is a simulator bug.</summary>
    public void Schedule(long timeMs, long nowMs, TEvent scheduledEvent)
    {
        if (timeMs < nowMs) throw new InvalidOperationException($"event scheduled at {timeMs} ms, before now ({nowMs} ms)");
        if (Count >= CapacityMax) throw new EventQueueFullException(CapacityMax);
        var key = new EventKey(timeMs, _nextSequence++);
        if (choosable) _pending.Insert(InsertionIndex(timeMs), (key, scheduledEvent));
        else _queue.Enqueue(scheduledEvent, key);
    }

    /// <summary>The earliest event, or false when none is left.</summary>
    public bool TryTake(out TEvent scheduledEvent, out EventKey key)
    {
        if (!choosable) return _queue.TryDequeue(out scheduledEvent!, out key);
        if (_pending.Count == 0)
        {
            scheduledEvent = default!;
            key = default;
            return false;
        }
        (key, scheduledEvent) = TakeAt(0);
        return true;
    }

    /// <summary>Removes and returns the pending event at <paramref name="index"/> of <see cref="Pending"/>.</summary>
    public (EventKey Key, TEvent Event) TakeAt(int index)
    {
        if (!choosable) throw new InvalidOperationException("not a choosable agenda");
        (EventKey Key, TEvent Event) taken = _pending[index];
        _pending.RemoveAt(index);
        return taken;
    }

    public bool TryPeekTime(out long timeMs)
    {
        if (choosable)
        {
            timeMs = _pending.Count == 0 ? 0 : _pending[0].Key.TimeMs;
            return _pending.Count > 0;
        }
        bool any = _queue.TryPeek(out _, out EventKey key);
        timeMs = key.TimeMs;
        return any;
    }

    /// <summary>
    /// Where an event at <paramref name="timeMs"/> goes: after every pending event at that time or earlier,
    /// since its sequence number is larger than theirs (binary search over the sorted list).
    /// </summary>
    private int InsertionIndex(long timeMs)
    {
        int low = 0, high = _pending.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_pending[middle].Key.TimeMs <= timeMs) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}

/// <summary>More events pending than the queue's bound: something schedules without limit.</summary>
public sealed class EventQueueFullException(int capacityMax)
    : Exception($"more than {capacityMax} events pending: something schedules events without bound");
