using Reference.Core.Node;

namespace Reference.Core.Replication;

/// <summary>
/// Produces waiting for acks, in arrival order (Kafka's produce purgatory). Bounded by
/// <see cref="ParkedMax"/>; the shell hands the core one request per connection at a time, so in practice
/// there are at most as many as there are producer connections.
/// </summary>
internal sealed class ProducePurgatory
{
    public const int ParkedMax = 10_000;

    private readonly SortedDictionary<long, DelayedProduce> _parked = new();
    private readonly SortedSet<(long DeadlineMs, long Id)> _byDeadline = new();
    private long _nextId;

    public int Count => _parked.Count;

    public long NextDeadlineMs => _byDeadline.Count == 0 ? long.MaxValue : _byDeadline.Min.DeadlineMs;

    public bool TryPark(DelayedProduce produce)
    {
        if (_parked.Count >= ParkedMax) return false;
        long id = _nextId++;
        _parked.Add(id, produce);
        _byDeadline.Add((produce.DeadlineMs, id));
        return true;
    }

    /// <summary>
    /// Completes, in arrival order, every parked produce on <paramref name="partition"/> now settled. They
    /// leave the purgatory before any completion runs, so a completion that appends again (a group commit
    /// written from a callback) finds a consistent purgatory.
    /// </summary>
    public void CompleteSatisfied(TopicPartition partition, PartitionTable table, Effects effects)
    {
        var done = _parked.Where(entry => entry.Value.Touches(partition) && entry.Value.IsSatisfied(table)).ToList();
        foreach (KeyValuePair<long, DelayedProduce> entry in done) Remove(entry.Key);
        foreach (KeyValuePair<long, DelayedProduce> entry in done) entry.Value.Complete(effects);
    }

    public void ExpireDue(long nowMs, Effects effects)
    {
        // Every tick asks; nearly always nothing is due, and the query below allocates.
        if (NextDeadlineMs > nowMs) return;
        var due = _byDeadline.TakeWhile(entry => entry.DeadlineMs <= nowMs).Select(entry => entry.Id).ToList();
        var expired = due.Select(id => _parked[id]).ToList();
        foreach (long id in due) Remove(id);
        foreach (DelayedProduce produce in expired) produce.Expire(effects);
    }

    /// <summary>Forgets the produces of a closed connection: nobody is left to answer (their data stays appended).</summary>
    public void DropConnection(ConnectionId connection)
    {
        if (_parked.Count == 0) return; // every closed connection asks; the query below allocates
        foreach (long id in _parked.Where(entry => entry.Value.Connection == connection).Select(entry => entry.Key).ToList()) Remove(id);
    }

    private void Remove(long id)
    {
        _byDeadline.Remove((_parked[id].DeadlineMs, id));
        _parked.Remove(id);
    }
}
