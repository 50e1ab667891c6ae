namespace Reference.Core.Raft;

/// <summary>
/// Sends one kind of request to each of a set of voters until each has answered: the Vote requests of an
/// election round, a new leader's BeginQuorumEpoch, a resigning leader's EndQuorumEpoch. A voter has at
/// most one request in flight; a failed or timed-out one is sent again after a backoff (KIP-595: "the
/// leader will continue sending BeginQuorumEpoch until it is acknowledged"). Bound: one entry per voter.
/// </summary>
internal sealed class VoterRequestTracker
{
    private readonly SortedDictionary<int, long> _sendAtMs = new();
    private readonly SortedSet<int> _inFlight = [];

    public VoterRequestTracker(IEnumerable<int> voterIds, long nowMs)
    {
        foreach (int voterId in voterIds) _sendAtMs[voterId] = nowMs;
    }

    public bool IsDone => _sendAtMs.Count == 0 && _inFlight.Count == 0;

    /// <summary>When the next (re)send is due, or <see cref="long.MaxValue"/> when nothing waits to be sent.</summary>
    public long NextSendAtMs
    {
        get
        {
            // A loop, not LINQ's Min: the node asks after every input it handles.
            long next = long.MaxValue;
            foreach (long sendAtMs in _sendAtMs.Values) next = Math.Min(next, sendAtMs);
            return next;
        }
    }

    /// <summary>The voters whose request is due now, in id order; each is then counted as in flight.</summary>
    public IReadOnlyList<int> TakeDue(long nowMs)
    {
        if (NextSendAtMs > nowMs) return []; // every tick asks; the query below allocates
        var due = _sendAtMs.Where(entry => entry.Value <= nowMs).Select(entry => entry.Key).ToList();
        foreach (int voterId in due)
        {
            _sendAtMs.Remove(voterId);
            _inFlight.Add(voterId);
        }
        return due;
    }

    /// <summary>The voter answered: it needs no more requests.</summary>
    public void Answered(int voterId)
    {
        _inFlight.Remove(voterId);
        _sendAtMs.Remove(voterId);
    }

    /// <summary>The request got no answer: send it again at <paramref name="retryAtMs"/>.</summary>
    public void Failed(int voterId, long retryAtMs)
    {
        if (_inFlight.Remove(voterId)) _sendAtMs[voterId] = retryAtMs;
    }
}
