using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// Raft's Election Safety (Ongaro and Ousterhout, Figure 3: "at most one leader can be elected in a given
/// term"), Kafka's <c>SingleLeader</c> invariant in RaftEventSimulationTest. As Kafka's does, it reads every
/// node's idea of the leader, not only the leaders themselves: the in-memory leader of a running replica and
/// the leader in each disk's persisted quorum state. Two nodes naming different leaders for one epoch is a
/// violation, even when neither still leads.
/// <para>
/// It also counts the election goals: a new leader (<see cref="RaftGoals.LeaderChange"/>), two candidates in
/// one epoch, and a refused pre-vote. Memory: one entry per epoch that had a leader, so at most one per
/// election the run held.
/// </para>
/// </summary>
public sealed class SingleLeaderPerEpoch : RaftMonitor
{
    private readonly SortedDictionary<int, int> _leaderOfEpoch = new();
    private readonly SortedDictionary<int, int> _firstCandidateOfEpoch = new();
    private readonly SortedSet<int> _epochsWithRivals = new();
    /// <summary>A reading judged once has claimed all it claims: what it claimed is kept for good, so judging it again finds nothing new.</summary>
    private readonly JudgedReadings _judged = new();

    public override string Name => "SingleLeaderPerEpoch";

    public override IReadOnlyList<string> SometimesGoals =>
        [RaftGoals.LeaderChange, RaftGoals.RivalCandidates, RaftGoals.PreVoteRejected];

    /// <summary>Each epoch's leader as observed so far.</summary>
    public IReadOnlyDictionary<int, int> LeaderOfEpoch => _leaderOfEpoch;

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        CountRefusedPreVotes(observation.LastEvent, coverage);
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (_judged.AlreadyJudged(node)) continue;
            if (node.Replica is ReplicaReading replica)
            {
                if (replica.LeaderId is int leader && Claim(replica.Epoch, leader, node, "believes", coverage) is { } inMemory) return inMemory;
                if (replica.State == QuorumStateKind.Candidate) CountCandidate(replica.Epoch, node.NodeId, coverage);
            }
            if (node.Persisted is { LeaderId: >= 0 } persisted
                && Claim(persisted.LeaderEpoch, persisted.LeaderId, node, "has persisted", coverage) is { } onDisk) return onDisk;
            _judged.Judged(node);
        }
        return null;
    }

    private MonitorViolation? Claim(int epoch, int leader, RaftNodeReading node, string how, Coverage coverage)
    {
        if (_leaderOfEpoch.TryGetValue(epoch, out int known))
            return known == leader ? null : Violation($"epoch {epoch} has two leaders: {known}, and {leader} which node {node.NodeId} {how}");
        _leaderOfEpoch[epoch] = leader;
        coverage.Reached(RaftGoals.LeaderChange);
        return null;
    }

    private void CountCandidate(int epoch, int nodeId, Coverage coverage)
    {
        if (!_firstCandidateOfEpoch.TryGetValue(epoch, out int first))
        {
            _firstCandidateOfEpoch[epoch] = nodeId;
            return;
        }
        if (first != nodeId && _epochsWithRivals.Add(epoch)) coverage.Reached(RaftGoals.RivalCandidates);
    }

    /// <summary>A step that answered a pre-vote request with a refusal (KIP-996).</summary>
    private static void CountRefusedPreVotes(SimulationEvent lastEvent, Coverage coverage)
    {
        if (lastEvent is not SimulationEvent.InputDelivered
            {
                Input: NodeInput.RequestReceived { Body: VoteRequest { Topics: [{ Partitions: [{ PreVote: true }] }] } },
            } step) return;
        foreach (NodeEffect effect in step.EffectSpan)
            if (effect is NodeEffect.Respond { Body: VoteResponse { Topics: [{ Partitions: [{ VoteGranted: false }] }] } })
                coverage.Reached(RaftGoals.PreVoteRejected);
    }
}
