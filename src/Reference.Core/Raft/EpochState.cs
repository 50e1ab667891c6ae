using Reference.Protocol.Messages;

namespace Reference.Core.Raft;

/// <summary>The quorum states of KIP-595, with KIP-996's Prospective; see <see cref="QuorumState"/> for the moves between them.</summary>
public enum QuorumStateKind
{
    /// <summary>Knows an epoch but no leader of it and has not voted in it.</summary>
    Unattached,

    /// <summary>Has voted in this epoch (the vote is durable) and knows no leader yet.</summary>
    Voted,

    /// <summary>KIP-996: a voter that lost its leader asks for pre-votes before it bumps the epoch.</summary>
    Prospective,

    /// <summary>Has bumped the epoch, voted for itself and asks the other voters for theirs.</summary>
    Candidate,

    /// <summary>Won the epoch's election: takes proposals and serves fetches.</summary>
    Leader,

    /// <summary>Was the epoch's leader and is stepping down (shutdown, check-quorum, or a restart of a leader).</summary>
    Resigned,

    /// <summary>Knows the epoch's leader and replicates from it by fetching.</summary>
    Follower,
}

/// <summary>
/// One quorum state in one epoch (Kafka's <c>EpochState</c>). A state is replaced, never mutated into
/// another: <see cref="QuorumState"/> makes every move. What a state persists is its epoch, the leader it
/// knows and the vote it cast (<see cref="ToData"/>), which is exactly Kafka's quorum-state file.
/// </summary>
internal abstract class EpochState
{
    protected EpochState(int epoch)
    {
        if (epoch < 0) throw new InvalidOperationException($"an epoch is never negative ({epoch})");
        Epoch = epoch;
    }

    public int Epoch { get; }

    public abstract QuorumStateKind Kind { get; }

    /// <summary>The leader of this epoch as far as this replica knows, or null.</summary>
    public virtual int? LeaderId => null;

    /// <summary>The candidate this replica voted for in this epoch, or null when it has not voted.</summary>
    public virtual int? VotedId => null;

    /// <summary>The leader the quorum-state file names for this state: <see cref="LeaderId"/>, unless a state says otherwise.</summary>
    protected virtual int? PersistedLeaderId => LeaderId;

    /// <summary>
    /// When this state's own timer fires: the election timeout of the electing states, the fetch timeout of
    /// a follower, the check-quorum timeout of a leader; <see cref="long.MaxValue"/> when it has none.
    /// </summary>
    public abstract long DeadlineMs { get; }

    /// <summary>
    /// Whether this state lets the replica grant <paramref name="candidateId"/>'s vote (or pre-vote) in
    /// this epoch. The caller has already moved to the candidate's epoch when it was higher, and tells
    /// whether the candidate's log is at least as up to date as this one (Raft §5.4.1).
    /// </summary>
    public abstract bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote);

    public QuorumStateData ToData() => new()
    {
        LeaderEpoch = Epoch,
        LeaderId = PersistedLeaderId ?? -1,
        VotedId = VotedId ?? -1,
    };

    public override string ToString() =>
        $"{Kind}(epoch {Epoch}{(LeaderId is int leader ? $", leader {leader}" : "")}{(VotedId is int voted ? $", voted {voted}" : "")})";
}
