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
    private readonly SortedDictionary<int, PendingRequest> _byCorrelationId = new();

    public int Count => _byCorrelationId.Count;

    public long NextDeadlineMs
    {
        get
        {
            // A loop, not LINQ's Min: the node asks after every input it handles.
            long next = long.MaxValue;
            foreach (PendingRequest request in _byCorrelationId.Values) next = Math.Min(next, request.DeadlineMs);
            return next;
        }
    }

    public bool Any(RaftRequestKind kind) => _byCorrelationId.Values.Any(request => request.Kind == kind);

    public void Add(PendingRequest request)
    {
        if (_byCorrelationId.Count >= RaftLimits.PendingRequestCountMax)
            throw new InvalidOperationException($"more than {RaftLimits.PendingRequestCountMax} Raft requests in flight: a leak");
        if (!_byCorrelationId.TryAdd(request.CorrelationId, request))
            throw new InvalidOperationException($"correlation id {request.CorrelationId} is already in flight");
    }

    /// <summary>Takes the request an answer from <paramref name="nodeId"/> belongs to; false for one this state did not send.</summary>
    public bool TryTake(int correlationId, int nodeId, out PendingRequest request)
    {
        if (!_byCorrelationId.TryGetValue(correlationId, out request) || request.ToNodeId != nodeId) return false;
        _byCorrelationId.Remove(correlationId);
        return true;
    }

    /// <summary>Takes the requests whose answer is overdue, in correlation id order.</summary>
    public IReadOnlyList<PendingRequest> TakeExpired(long nowMs)
    {
        if (NextDeadlineMs > nowMs) return []; // every tick asks; the query below allocates
        var expired = _byCorrelationId.Values.Where(request => request.DeadlineMs <= nowMs).ToList();
        foreach (PendingRequest request in expired) _byCorrelationId.Remove(request.CorrelationId);
        return expired;
    }

    public void Clear() => _byCorrelationId.Clear();
}
