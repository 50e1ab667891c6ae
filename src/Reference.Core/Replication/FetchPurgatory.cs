using Reference.Core.Node;

namespace Reference.Core.Replication;

/// <summary>
/// Fetches waiting for data, in arrival order, and the partitions that moved since they last looked.
/// A parked fetch is re-read on the step after its partition moved, never in the same step: the appends
/// of a step reach the storage only when the shell carries out the step's effects, so a read in the same
/// step would miss them. <see cref="HasAdvanced"/> makes the owner ask to be woken at once for that.
/// Bounded by <see cref="ParkedMax"/>: past it a fetch is answered at once with what there is.
/// </summary>
internal sealed class FetchPurgatory
{
    public const int ParkedMax = 1_000;

    private readonly SortedDictionary<long, DelayedFetch> _parked = new();
    private readonly SortedSet<(long DeadlineMs, long Id)> _byDeadline = new();
    private readonly SortedSet<TopicPartition> _advanced = new();
    private long _nextId;

    public int Count => _parked.Count;

    public bool HasAdvanced => _advanced.Count > 0;

    public long NextDeadlineMs => _byDeadline.Count == 0 ? long.MaxValue : _byDeadline.Min.DeadlineMs;

    public bool TryPark(DelayedFetch fetch)
    {
        if (_parked.Count >= ParkedMax) return false;
        long id = _nextId++;
        _parked.Add(id, fetch);
        _byDeadline.Add((fetch.DeadlineMs, id));
        return true;
    }

    /// <summary>Notes that <paramref name="partition"/>'s log end, HW or leadership moved, if a parked fetch cares.</summary>
    public void MarkAdvanced(TopicPartition partition)
    {
        if (_parked.Values.Any(fetch => fetch.Touches(partition))) _advanced.Add(partition);
    }

    /// <summary>The parked fetches on partitions that moved, in arrival order; they stay parked until <see cref="Remove"/>.</summary>
    public IReadOnlyList<KeyValuePair<long, DelayedFetch>> TakeAdvanced()
    {
        if (_advanced.Count == 0) return []; // every tick asks; the query below allocates
        var touched = _parked.Where(entry => _advanced.Any(entry.Value.Touches)).ToList();
        _advanced.Clear();
        return touched;
    }

    /// <summary>Removes and returns, in deadline order, the fetches whose MaxWaitMs has passed.</summary>
    public IReadOnlyList<DelayedFetch> RemoveDue(long nowMs)
    {
        // Every tick asks; nearly always nothing is due, and the query below allocates.
        if (NextDeadlineMs > nowMs) return [];
        var due = _byDeadline.TakeWhile(entry => entry.DeadlineMs <= nowMs).Select(entry => entry.Id).ToList();
        var fetches = due.Select(id => _parked[id]).ToList();
        foreach (long id in due) Remove(id);
        return fetches;
    }

    public void Remove(long id)
    {
        if (!_parked.Remove(id, out DelayedFetch? fetch)) return;
        _byDeadline.Remove((fetch.DeadlineMs, id));
    }

    public void DropConnection(ConnectionId connection)
    {
        if (_parked.Count == 0) return; // every closed connection asks; the query below allocates
        foreach (long id in _parked.Where(entry => entry.Value.Context.Connection == connection).Select(entry => entry.Key).ToList()) Remove(id);
    }
}
