using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// ARCHITECTURE.md's "persist before you promise", as Raft states it (Figure 2: "updated on stable storage
/// before responding to RPCs"; KIP-595's quorum-state file): a vote, an epoch or a leader is never acted on
/// before it is durable. Read from each step's effects, in the order the node asked for them:
/// <list type="bullet">
/// <item>a response granting a (non-pre-)vote comes after a quorum-state write naming that candidate in
/// that epoch (or the disk already held it). A pre-vote (KIP-996) binds nothing and is not checked;</item>
/// <item>when a step ends, the replica's epoch is not ahead of the epoch its disk holds once the step's
/// writes are carried out (a step that moves to a new epoch asks to persist it).</item>
/// </list>
/// The effects a step asked for are judged, not those carried out: the simulator may cut a step short with
/// a crash (after the monitors ran), and a cut promise was never made, but the order asked for is the
/// node's and must be right. Memory: one quorum state per node.
/// </summary>
public sealed class PersistBeforePromise : RaftMonitor
{
    private readonly NodeTable<QuorumStateData?> _diskAfterLastCheck = new();
    /// <summary>Readings of nodes the event did not step, judged already: their epoch and their disk's state are as they were.</summary>
    private readonly JudgedReadings _judged = new();

    public override string Name => "PersistBeforePromise";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        SimulationEvent.InputDelivered? step = observation.LastEvent as SimulationEvent.InputDelivered;
        MonitorViolation? violation = null;
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            bool stepped = step is not null && step.NodeId == node.NodeId;
            if (!stepped && _judged.AlreadyJudged(node)) continue;
            if (violation is null && node.Replica is ReplicaReading replica)
            {
                QuorumStateData? diskBefore = _diskAfterLastCheck.TryGetValue(node.NodeId, out QuorumStateData? last) ? last : node.Persisted;
                QuorumStateData? diskAfter = stepped ? CheckStep(node, step!, diskBefore, ref violation) : node.Persisted;
                int diskEpoch = diskAfter?.LeaderEpoch ?? 0;
                if (violation is null && replica.Epoch > diskEpoch)
                    violation = Violation($"node {node.NodeId} runs in epoch {replica.Epoch} but its disk holds epoch {diskEpoch}");
            }
            _diskAfterLastCheck.Set(node.NodeId, node.Persisted);
            if (violation is null && !stepped) _judged.Judged(node);
        }
        return violation;
    }

    /// <summary>Walks the step's effects in order; returns the quorum state the disk holds once all are carried out.</summary>
    private static QuorumStateData? CheckStep(RaftNodeReading node, SimulationEvent.InputDelivered step, QuorumStateData? durable, ref MonitorViolation? violation)
    {
        VoteRequest.PartitionData? asked = step.Input is NodeInput.RequestReceived
        {
            Body: VoteRequest { Topics: [{ Partitions: [{ PreVote: false } request] }] },
        } ? request : null;
        foreach (NodeEffect effect in step.EffectSpan)
        {
            if (effect is NodeEffect.PersistQuorumState persist) durable = persist.State;
            if (asked is null || violation is not null) continue;
            if (effect is not NodeEffect.Respond { Body: VoteResponse { Topics: [{ Partitions: [{ VoteGranted: true } granted] }] } }) continue;
            if (durable is null || durable.LeaderEpoch != granted.LeaderEpoch || durable.VotedId != asked.CandidateId)
                violation = Violation($"node {node.NodeId} granted its vote to {asked.CandidateId} in epoch {granted.LeaderEpoch} " +
                    $"before its disk held it ({(durable is null ? "no quorum state" : $"epoch {durable.LeaderEpoch}, vote {durable.VotedId}")})");
        }
        return durable;
    }
}
