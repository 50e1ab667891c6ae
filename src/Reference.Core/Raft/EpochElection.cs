namespace Reference.Core.Raft;

/// <summary>
/// The tally of one election round, of pre-votes (Prospective) or votes (Candidate). The local voter
/// grants itself; each other voter's first answer counts and later ones are ignored. Won with a majority
/// of grants; lost once enough rejections leave no majority possible (Kafka's <c>EpochElection</c>).
/// </summary>
internal sealed class EpochElection
{
    private readonly VoterSet _voters;
    private readonly SortedSet<int> _granted = [];
    private readonly SortedSet<int> _rejected = [];

    public EpochElection(VoterSet voters, int localId)
    {
        if (!voters.Contains(localId)) throw new InvalidOperationException($"observer {localId} cannot stand for election");
        _voters = voters;
        _granted.Add(localId);
    }

    /// <summary>The voters that granted, the local one included, in id order (the LeaderChange record names them).</summary>
    public IReadOnlyCollection<int> GrantingVoters => _granted;

    public bool IsWon => _granted.Count >= _voters.MajoritySize;

    public bool IsLost => _rejected.Count > _voters.Count - _voters.MajoritySize;

    public bool HasAnswered(int voterId) => _granted.Contains(voterId) || _rejected.Contains(voterId);

    /// <summary>Counts a voter's answer; returns false when it had answered already or is no voter.</summary>
    public bool Record(int voterId, bool granted)
    {
        if (!_voters.Contains(voterId) || HasAnswered(voterId)) return false;
        (granted ? _granted : _rejected).Add(voterId);
        if (_granted.Count + _rejected.Count > _voters.Count) throw new InvalidOperationException("more answers than voters");
        return true;
    }
}
