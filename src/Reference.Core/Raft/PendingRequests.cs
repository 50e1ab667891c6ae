namespace Reference.Core.Raft;

/// <summary>What a request this replica sent was for.</summary>
internal enum RaftRequestKind
{
    PreVote,
    Vote,
    BeginQuorumEpoch,
    EndQuorumEpoch,
    Fetch,
    FetchSnapshot,
}

/// <summary>A request in flight: to whom, why, and when to stop waiting for its answer.</summary>
internal readonly record struct PendingRequest(int CorrelationId, int ToNodeId, RaftRequestKind Kind, long DeadlineMs);

/// <summary>
/// The requests this replica has in flight, by correlation id. They belong to the quorum state that sent
/// them: a move to another state forgets them all (<see cref="Clear"/>), so a late answer to an older state's
/// request finds nothing and is dropped, as Kafka drops responses from an older epoch. Unanswered ones time
/// out after <c>controller.quorum.request.timeout.ms</c>. Bound: <see cref="RaftLimits.PendingRequestCountMax"/>.
/// </summary>
internal sealed class PendingRequests
{
    // In ascending correlation id order. A list, not a sorted map: it holds one request per voter and purpose
    // plus a fetch, and the node reads its deadlines after every input, which a scan of a few entries does
    // without a tree walk or an enumerator to allocate.
    private readonly List<PendingRequest> _requests = [];

    public int Count => _requests.Count;

    public long NextDeadlineMs
    {
        get
        {
            long next = long.MaxValue;
            foreach (PendingRequest request in _requests) next = Math.Min(next, request.DeadlineMs);
            return next;
        }
    }

    public bool Any(RaftRequestKind kind)
    {
        foreach (PendingRequest request in _requests)
        {
            if (request.Kind == kind) return true;
        }
        return false;
    }

    public void Add(PendingRequest request)
    {
        if (_requests.Count >= RaftLimits.PendingRequestCountMax)
            throw new InvalidOperationException($"more than {RaftLimits.PendingRequestCountMax} Raft requests in flight: a leak");
        int index = IndexOf(request.CorrelationId);
        if (index >= 0) throw new InvalidOperationException($"correlation id {request.CorrelationId} is already in flight");
        _requests.Insert(~index, request);
    }

    /// <summary>Takes the request an answer from <paramref name="nodeId"/> belongs to; false for one this state did not send.</summary>
    public bool TryTake(int correlationId, int nodeId, out PendingRequest request)
    {
        int index = IndexOf(correlationId);
        request = index >= 0 ? _requests[index] : default;
        if (index < 0 || request.ToNodeId != nodeId) return false;
        _requests.RemoveAt(index);
        return true;
    }

    /// <summary>Takes the requests whose answer is overdue, in correlation id order.</summary>
    public IReadOnlyList<PendingRequest> TakeExpired(long nowMs)
    {
        if (NextDeadlineMs > nowMs) return []; // every tick asks; the query below allocates
        var expired = _requests.FindAll(request => request.DeadlineMs <= nowMs);
        _requests.RemoveAll(request => request.DeadlineMs <= nowMs);
        return expired;
    }

    public void Clear() => _requests.Clear();

    /// <summary>The index of <paramref name="correlationId"/>, or the complement of where it would go (as <see cref="List{T}.BinarySearch(T)"/>).</summary>
    private int IndexOf(int correlationId)
    {
        int low = 0, high = _requests.Count - 1;
        while (low <= high)
        {
            int middle = low + (high - low) / 2;
            int compared = _requests[middle].CorrelationId.CompareTo(correlationId);
            if (compared == 0) return middle;
            if (compared < 0) low = middle + 1;
            else high = middle - 1;
        }
        return ~low;
    }
}
