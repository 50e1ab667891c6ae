namespace Reference.Core.Raft;

/// <summary>
/// Sends one kind of request to each of a set of voters until each has answered: the Vote requests of an
/// election round, a new leader's BeginQuorumEpoch, a resigning leader's EndQuorumEpoch. A voter has at
/// most one request in flight; a failed or timed-out one is sent again after a backoff (KIP-595: "the
/// leader will continue sending BeginQuorumEpoch until it is acknowledged"). Bound: one entry per voter.
/// </summary>
/// <remarks>
/// Every state of an election builds one and the node asks it after every input, so it keeps plain arrays in
/// ascending voter id order, scanned in full: a quorum has a handful of voters.
/// </remarks>
internal sealed class VoterRequestTracker
{
    private enum Progress : byte { Waiting, InFlight, Answered }

    private readonly int[] _voterIds;
    private readonly Progress[] _progress;

    /// <summary>Per voter, when its request is (re)sent; read only while it is <see cref="Progress.Waiting"/>.</summary>
    private readonly long[] _sendAtMs;

    /// <summary>Every voter but <paramref name="localId"/> is sent a request at <paramref name="nowMs"/>.</summary>
    public VoterRequestTracker(VoterSet voters, int localId, long nowMs)
    {
        IReadOnlyList<int> ids = voters.Ids;
        _voterIds = new int[voters.Contains(localId) ? ids.Count - 1 : ids.Count];
        int next = 0;
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] != localId) _voterIds[next++] = ids[i]; // stays ascending: the voter set is
        }
        _progress = new Progress[_voterIds.Length];
        _sendAtMs = new long[_voterIds.Length];
        Array.Fill(_sendAtMs, nowMs);
    }

    public bool IsDone => Array.TrueForAll(_progress, progress => progress == Progress.Answered);

    /// <summary>When the next (re)send is due, or <see cref="long.MaxValue"/> when nothing waits to be sent.</summary>
    public long NextSendAtMs
    {
        get
        {
            long next = long.MaxValue;
            for (int i = 0; i < _voterIds.Length; i++)
            {
                if (_progress[i] == Progress.Waiting) next = Math.Min(next, _sendAtMs[i]);
            }
            return next;
        }
    }

    /// <summary>The voters whose request is due now, in id order; each is then counted as in flight.</summary>
    public int[] TakeDue(long nowMs)
    {
        int dueCount = 0;
        for (int i = 0; i < _voterIds.Length; i++)
        {
            if (IsDue(i, nowMs)) dueCount++;
        }
        if (dueCount == 0) return []; // every tick asks: nearly always nothing is due, and then nothing is allocated
        var due = new int[dueCount];
        int taken = 0;
        for (int i = 0; i < _voterIds.Length; i++)
        {
            if (!IsDue(i, nowMs)) continue;
            due[taken++] = _voterIds[i];
            _progress[i] = Progress.InFlight;
        }
        return due;
    }

    /// <summary>The voter answered: it needs no more requests.</summary>
    public void Answered(int voterId)
    {
        if (IndexOf(voterId) is int index and >= 0) _progress[index] = Progress.Answered;
    }

    /// <summary>The request got no answer: send it again at <paramref name="retryAtMs"/>.</summary>
    public void Failed(int voterId, long retryAtMs)
    {
        if (IndexOf(voterId) is not (int index and >= 0) || _progress[index] != Progress.InFlight) return;
        _progress[index] = Progress.Waiting;
        _sendAtMs[index] = retryAtMs;
    }

    private bool IsDue(int index, long nowMs) => _progress[index] == Progress.Waiting && _sendAtMs[index] <= nowMs;

    private int IndexOf(int voterId) => Array.IndexOf(_voterIds, voterId);
}
