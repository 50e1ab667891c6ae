using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>A fetch the leader holds because it found nothing new to return (long polling).</summary>
internal sealed record ParkedFetch(RequestContext Context, FetchRequest Request, int ReplicaId, long DeadlineMs);

/// <summary>
/// The leader's fetch purgatory (Kafka's <c>FetchPurgatory</c> in the Raft client): fetches waiting for new
/// data or a new high watermark, each until its MaxWaitMs. Any of those events answers them all; so does the
/// leader's stepping down, with the error that tells the follower where to go. Bound:
/// <see cref="RaftLimits.ParkedFetchCountMax"/>, and one per replica (a newer fetch answers the older one).
/// </summary>
internal sealed class ParkedFetches
{
    private readonly List<ParkedFetch> _parked = [];

    public int Count => _parked.Count;

    public long NextDeadlineMs
    {
        get
        {
            // A loop, not LINQ's Min: the node asks after every input it handles.
            long next = long.MaxValue;
            foreach (ParkedFetch fetch in _parked) next = Math.Min(next, fetch.DeadlineMs);
            return next;
        }
    }

    /// <summary>Holds a fetch; false when full, and the caller answers it at once.</summary>
    public bool TryPark(ParkedFetch fetch)
    {
        if (_parked.Count >= RaftLimits.ParkedFetchCountMax) return false;
        _parked.Add(fetch);
        return true;
    }

    /// <summary>Takes a held fetch of <paramref name="replicaId"/>, which a newer one from it supersedes.</summary>
    public ParkedFetch? TakeFrom(int replicaId)
    {
        if (replicaId < 0) return null;
        int index = _parked.FindIndex(fetch => fetch.ReplicaId == replicaId);
        if (index < 0) return null;
        ParkedFetch taken = _parked[index];
        _parked.RemoveAt(index);
        return taken;
    }

    /// <summary>Takes every held fetch, oldest first.</summary>
    public IReadOnlyList<ParkedFetch> TakeAll()
    {
        var all = _parked.ToList();
        _parked.Clear();
        return all;
    }

    /// <summary>Takes the fetches whose wait is over, oldest first.</summary>
    public IReadOnlyList<ParkedFetch> TakeExpired(long nowMs)
    {
        if (NextDeadlineMs > nowMs) return []; // every tick of a leader asks; the query below allocates
        var expired = _parked.Where(fetch => fetch.DeadlineMs <= nowMs).ToList();
        _parked.RemoveAll(fetch => fetch.DeadlineMs <= nowMs);
        return expired;
    }

    /// <summary>The connection closed: its fetches will never be answered.</summary>
    public void DropConnection(ConnectionId connection)
    {
        if (_parked.Count == 0) return; // every closed connection asks; the predicate below allocates
        _parked.RemoveAll(fetch => fetch.Context.Connection == connection);
    }
}
