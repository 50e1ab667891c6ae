using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Raft;

/// <summary>
/// The replica's quorum state and every move between states, in one place (Kafka's <c>QuorumState</c>).
/// A move that changes the epoch, the known leader or the vote adds <see cref="NodeEffect.PersistQuorumState"/>
/// to the step's effects at once, so it precedes whatever the caller then sends on the strength of it
/// (a vote, a BeginQuorumEpoch): persist before you promise.
/// </summary>
/// <remarks>
/// The allowed moves (KIP-595, KIP-996), by what they do to the epoch:
/// <code>
/// from \ to    Unattached  Voted  Prospective  Candidate  Leader  Resigned  Follower
/// Unattached   higher      same   same         -          -       -         same|higher
/// Voted        higher      -      same         -          -       -         same|higher
/// Prospective  same|higher same   -            next       -       -         same|higher
/// Candidate    higher      -      same         -          same    -         same|higher
/// Leader       higher      -      -            -          -       same      higher
/// Resigned     higher      -      same         -          -       -         higher
/// Follower     same|higher -      same         -          -       -         higher
/// </code>
/// "next" is the epoch plus one: only a candidate bumps the epoch, and only after a pre-vote majority.
/// Prospective goes to Unattached in its own epoch only when it kept no vote (else to Voted), and Follower
/// only when it is an observer whose leader went quiet. Observers are only ever Unattached or Follower.
/// </remarks>
/// <param name="localDirectoryId">The directory id of this replica's storage: with <paramref name="localId"/>, its replica key (KIP-853).</param>
internal sealed class QuorumState(int localId, Uuid localDirectoryId, VoterSet voters, NodeConfig config, IDeterministicRandom random)
{
    private enum EpochRule { Never, Same, Higher, SameOrHigher, Next }

    private static readonly EpochRule[,] Allowed = BuildTable();

    // Neither the voter set nor this replica's key ever changes, so whether it is a voter is settled once.
    private readonly bool _isVoter = voters.IsVoter(localId, localDirectoryId);
    private QuorumStateData? _lastPersisted;
    private EpochState? _current;

    public int LocalId => localId;

    public VoterSet Voters => voters;

    public Uuid LocalDirectoryId => localDirectoryId;

    /// <summary>
    /// This replica is one of the voters: its id is listed and its storage is the one the voter set names. A
    /// listed id on another disk (replaced, re-formatted) is an observer: it lost what the voter promised.
    /// </summary>
    public bool IsVoter => _isVoter;

    // The throw lives in a method of its own so that this getter, read many times per input, stays small enough to inline.
    public EpochState Current => _current ?? UsedBeforeInitialize();

    public int Epoch => Current.Epoch;

    /// <summary>
    /// Restores the state a restart finds: Kafka's <c>QuorumState.initialize</c>. A persisted leader that is
    /// this replica resigns (its in-memory leader state is gone); a persisted vote for itself resumes its
    /// candidacy in that epoch; a log that holds a newer epoch than the state file wins over it.
    /// </summary>
    public void Initialize(QuorumStateData? persisted, int logLastEpoch, long nowMs, Effects effects)
    {
        if (_current is not null) throw new InvalidOperationException("the quorum state is initialized once");
        _lastPersisted = persisted;
        int epoch = Math.Max(persisted?.LeaderEpoch ?? 0, 0);
        int? leaderId = persisted is { LeaderId: >= 0 } ? persisted.LeaderId : null;
        int? votedId = persisted is { VotedId: >= 0 } && IsVoter && voters.Contains(persisted.VotedId) ? persisted.VotedId : null;
        if (logLastEpoch > epoch) _current = new UnattachedState(logLastEpoch, ElectionDeadlineMs(nowMs));
        else if (leaderId == localId && IsVoter) _current = new ResignedState(epoch, localId, voters, OtherVoters(), ElectionDeadlineMs(nowMs), nowMs);
        else if (leaderId is int leader && leader != localId && voters.Contains(leader))
            _current = new FollowerState(epoch, leader, votedId, config.QuorumFetchTimeoutMs, nowMs);
        else if (votedId == localId) _current = new CandidateState(epoch, localId, voters, ElectionDeadlineMs(nowMs), nowMs);
        else if (votedId is int voted) _current = new VotedState(epoch, voted, ElectionDeadlineMs(nowMs));
        else _current = new UnattachedState(epoch, ElectionDeadlineMs(nowMs));
        PersistIfChanged(effects);
    }

    public UnattachedState TransitionToUnattached(int epoch, long nowMs, Effects effects)
    {
        if (epoch == Epoch && Current is ProspectiveState { VotedId: not null })
            throw new InvalidOperationException("a prospective that voted in this epoch goes back to Voted, keeping its vote");
        if (epoch == Epoch && Current is FollowerState && IsVoter)
            throw new InvalidOperationException("a voter whose leader went quiet becomes prospective, not unattached");
        return Move(new UnattachedState(epoch, ElectionDeadlineMs(nowMs)), effects);
    }

    public VotedState TransitionToVoted(int epoch, int candidateId, long nowMs, Effects effects)
    {
        if (!voters.Contains(candidateId)) throw new InvalidOperationException($"a vote for {candidateId}, who is no voter");
        return Move(new VotedState(epoch, candidateId, ElectionDeadlineMs(nowMs)), effects);
    }

    public ProspectiveState TransitionToProspective(long nowMs, Effects effects)
    {
        bool ledThisEpoch = Current.LeaderId == localId;
        int? retainedLeader = ledThisEpoch ? null : Current.LeaderId;
        return Move(new ProspectiveState(Epoch, localId, voters, retainedLeader, Current.VotedId, ElectionDeadlineMs(nowMs), nowMs, ledThisEpoch), effects);
    }

    public CandidateState TransitionToCandidate(long nowMs, Effects effects)
    {
        if (Current is not ProspectiveState { Election.IsWon: true }) throw new InvalidOperationException($"{Current} has not won a pre-vote");
        return Move(new CandidateState(checked(Epoch + 1), localId, voters, ElectionDeadlineMs(nowMs), nowMs), effects);
    }

    public LeaderState TransitionToLeader(long epochStartOffset, long nowMs, Effects effects)
    {
        if (Current is not CandidateState { Election.IsWon: true } candidate) throw new InvalidOperationException($"{Current} has not won an election");
        var leader = new LeaderState(Epoch, localId, voters, epochStartOffset, candidate.Election.GrantingVoters, config.QuorumFetchTimeoutMs, nowMs);
        return Move(leader, effects);
    }

    public ResignedState TransitionToResigned(IReadOnlyList<int> preferredSuccessors, long nowMs, Effects effects) =>
        Move(new ResignedState(Epoch, localId, voters, preferredSuccessors, ElectionDeadlineMs(nowMs), nowMs), effects);

    public FollowerState TransitionToFollower(int epoch, int leaderId, long nowMs, Effects effects)
    {
        if (leaderId == localId) throw new InvalidOperationException("a replica cannot follow itself");
        if (!voters.Contains(leaderId)) throw new InvalidOperationException($"leader {leaderId} is no voter");
        if (epoch == Epoch && Current.LeaderId is int known && known != leaderId && known != localId)
            throw new InvalidOperationException($"epoch {epoch} has leader {known}, not {leaderId}: two leaders in one epoch");
        int? keptVote = epoch == Epoch ? Current.VotedId : null;
        return Move(new FollowerState(epoch, leaderId, keptVote, config.QuorumFetchTimeoutMs, nowMs), effects);
    }

    /// <summary>
    /// Kafka's randomized election timeout: the configured timeout plus up to as much again, so that voters
    /// who lost their leader together rarely stand together and split the vote (Raft §5.2).
    /// </summary>
    public long RandomElectionTimeoutMs() => config.QuorumElectionTimeoutMs + random.Next(config.QuorumElectionTimeoutMs);

    /// <summary>When an election timer started now fires; never for an observer, which does not stand.</summary>
    public long ElectionDeadlineMs(long nowMs) => IsVoter ? nowMs + RandomElectionTimeoutMs() : long.MaxValue;

    private IReadOnlyList<int> OtherVoters() => voters.Ids.Where(id => id != localId).ToList();

    private static EpochState UsedBeforeInitialize() => throw new InvalidOperationException("the quorum state is used before Initialize");

    private TState Move<TState>(TState next, Effects effects) where TState : EpochState
    {
        CheckAllowed(Current, next);
        _current = next;
        PersistIfChanged(effects);
        return next;
    }

    private void CheckAllowed(EpochState from, EpochState to)
    {
        if (!IsVoter && to.Kind is not (QuorumStateKind.Unattached or QuorumStateKind.Follower))
            throw new InvalidOperationException($"observer {localId} cannot become {to.Kind}");
        bool allowed = Allowed[(int)from.Kind, (int)to.Kind] switch
        {
            EpochRule.Same => to.Epoch == from.Epoch,
            EpochRule.Higher => to.Epoch > from.Epoch,
            EpochRule.SameOrHigher => to.Epoch >= from.Epoch,
            EpochRule.Next => to.Epoch == from.Epoch + 1,
            _ => false,
        };
        if (!allowed) throw new InvalidOperationException($"{from} cannot become {to}");
    }

    private void PersistIfChanged(Effects effects)
    {
        QuorumStateData data = Current.ToData();
        if (_lastPersisted is { } last && last.LeaderEpoch == data.LeaderEpoch && last.LeaderId == data.LeaderId && last.VotedId == data.VotedId) return;
        if (_lastPersisted is { } previous && data.LeaderEpoch < previous.LeaderEpoch)
            throw new InvalidOperationException($"the persisted epoch would go back from {previous.LeaderEpoch} to {data.LeaderEpoch}");
        effects.Add(new NodeEffect.PersistQuorumState(data));
        _lastPersisted = data;
    }

    private static EpochRule[,] BuildTable()
    {
        const EpochRule n = EpochRule.Never, s = EpochRule.Same, h = EpochRule.Higher, sh = EpochRule.SameOrHigher, x = EpochRule.Next;
        // Rows and columns in QuorumStateKind order: Unattached, Voted, Prospective, Candidate, Leader, Resigned, Follower.
        return new[,]
        {
            { h,  s, s, n, n, n, sh }, // Unattached
            { h,  n, s, n, n, n, sh }, // Voted
            { sh, s, n, x, n, s, sh }, // Prospective (back to Resigned: a pre-vote lost in the epoch it led)
            { h,  n, s, n, s, n, sh }, // Candidate
            { h,  n, n, n, n, s, h },  // Leader
            { h,  n, s, n, n, n, h },  // Resigned
            { sh, n, s, n, n, n, h },  // Follower
        };
    }
}
