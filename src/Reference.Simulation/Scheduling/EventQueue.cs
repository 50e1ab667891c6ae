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
/// </summary>
public sealed class EventQueue<TEvent>(int capacityMax)
{
    private readonly PriorityQueue<TEvent, EventKey> _queue = new();
    private long _nextSequence;

    public int Count => _queue.Count;

    public int CapacityMax { get; } = capacityMax > 0 ? capacityMax : throw new ArgumentOutOfRangeException(nameof(capacityMax));

    /// <summary>Schedules an event; times never run backwards, so one in the past is a simulator bug.</summary>
    public void Schedule(long timeMs, long nowMs, TEvent scheduledEvent)
    {
        if (timeMs < nowMs) throw new InvalidOperationException($"event scheduled at {timeMs} ms, before now ({nowMs} ms)");
        if (_queue.Count >= CapacityMax) throw new EventQueueFullException(CapacityMax);
        _queue.Enqueue(scheduledEvent, new EventKey(timeMs, _nextSequence++));
    }

    /// <summary>The earliest event, or false when none is left.</summary>
    public bool TryTake(out TEvent scheduledEvent, out EventKey key) => _queue.TryDequeue(out scheduledEvent!, out key);

    public bool TryPeekTime(out long timeMs)
    {
        bool any = _queue.TryPeek(out _, out EventKey key);
        timeMs = key.TimeMs;
        return any;
    }
}

/// <summary>More events pending than the queue's bound: something schedules without limit.</summary>
public sealed class EventQueueFullException(int capacityMax)
    : Exception($"more than {capacityMax} events pending: something schedules events without bound");
