namespace Reference.Core.Raft;

/// <summary>
/// Was this epoch's leader and is stepping down: on graceful shutdown, when check-quorum found no majority
/// fetching, or after a restart found itself the persisted leader (a leader's in-memory state cannot be
/// resumed). It tells the other voters with EndQuorumEpoch, naming the preferred successors, so they need
/// not wait out a fetch timeout (KIP-595), and stands again itself only after an election timeout.
/// </summary>
internal sealed class ResignedState : EpochState
{
    private readonly int _localId;
    private readonly long _electionDeadlineMs;

    public ResignedState(int epoch, int localId, VoterSet voters, IReadOnlyList<int> preferredSuccessors,
        long electionDeadlineMs, long nowMs) : base(epoch)
    {
        if (preferredSuccessors.Contains(localId)) throw new InvalidOperationException("a resigning leader cannot succeed itself");
        _localId = localId;
        _electionDeadlineMs = electionDeadlineMs;
        PreferredSuccessors = preferredSuccessors;
        EndQuorumEpochRequests = new VoterRequestTracker(voters, localId, nowMs);
    }

    /// <summary>The other voters, best placed to win first (most of the log first, as Kafka orders them).</summary>
    public IReadOnlyList<int> PreferredSuccessors { get; }

    public VoterRequestTracker EndQuorumEpochRequests { get; }

    public override QuorumStateKind Kind => QuorumStateKind.Resigned;

    /// <summary>Still formally the leader of this epoch: the persisted state says so, and no one else can be.</summary>
    public override int? LeaderId => _localId;

    public override int? VotedId => _localId;

    public override long DeadlineMs => _electionDeadlineMs;

    /// <summary>It voted for itself in this epoch. Pre-votes it grants on the log check alone: it wants a successor.</summary>
    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) => isPreVote && isLogUpToDate;
}
