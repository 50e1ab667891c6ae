namespace Reference.Core.Raft;

/// <summary>
/// The tally of one election round, of pre-votes (Prospective) or votes (Candidate). The local voter
/// grants itself; each other voter's first answer counts and later ones are ignored. Won with a majority
/// of grants; lost once enough rejections leave no majority possible (Kafka's <c>EpochElection</c>).
/// </summary>
internal sealed class EpochElection
{
    private enum Answer : byte { None, Granted, Rejected }

    private readonly VoterSet _voters;

    /// <summary>Each voter's answer, at its position in <see cref="VoterSet.Ids"/>: every round builds one, so an array, not a set.</summary>
    private readonly Answer[] _answers;
    private int _grantedCount;
    private int _rejectedCount;

    public EpochElection(VoterSet voters, int localId)
    {
        int local = voters.IndexOf(localId);
        if (local < 0) throw new InvalidOperationException($"observer {localId} cannot stand for election");
        _voters = voters;
        _answers = new Answer[voters.Count];
        _answers[local] = Answer.Granted;
        _grantedCount = 1;
    }

    /// <summary>The voters that granted, the local one included, in id order (the LeaderChange record names them).</summary>
    public IReadOnlyCollection<int> GrantingVoters => _voters.Ids.Where((_, index) => _answers[index] == Answer.Granted).ToList();

    public bool IsWon => _grantedCount >= _voters.MajoritySize;

    public bool IsLost => _rejectedCount > _voters.Count - _voters.MajoritySize;

    /// <summary>Counts a voter's answer; returns false when it had answered already or is no voter.</summary>
    public bool Record(int voterId, bool granted)
    {
        int index = _voters.IndexOf(voterId);
        if (index < 0 || _answers[index] != Answer.None) return false;
        _answers[index] = granted ? Answer.Granted : Answer.Rejected;
        if (granted) _grantedCount++;
        else _rejectedCount++;
        return true;
    }
}
