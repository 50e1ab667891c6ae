using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// ARCHITECTURE.md's "persist before you promise", as Raft states it (Figure 2: "updated on stable storage
/// before responding to RPCs"; KIP-595's quorum-state file): a vote, an epoch or a leader is never acted on
/// before it is durable.
/// <list type="bullet">
/// <item>A step that grants a (non-pre-)vote leaves that vote on disk: the persisted state names that
/// candidate in that epoch. A pre-vote (KIP-996) binds nothing and is not checked.</item>
/// <item>A running replica's epoch is never ahead of the epoch on its disk.</item>
/// </list>
/// A node that crashed part-way through the step is not checked: the effects after the cut never happened,
/// the promise included.
/// </summary>
public sealed class PersistBeforePromise : RaftMonitor
{
    public override string Name => "PersistBeforePromise";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        if (CheckGrantedVotes(observation) is { } vote) return vote;
        foreach (RaftNodeReading node in observation.Nodes)
        {
            if (node.Replica is not ReplicaReading replica) continue;
            int persistedEpoch = node.Persisted?.LeaderEpoch ?? 0;
            if (replica.Epoch > persistedEpoch)
                return Violation($"node {node.NodeId} runs in epoch {replica.Epoch} but its disk holds epoch {persistedEpoch}");
        }
        return null;
    }

    private static MonitorViolation? CheckGrantedVotes(RaftObservation observation)
    {
        if (observation.LastEvent is not SimulationEvent.InputDelivered
            {
                Input: NodeInput.RequestReceived { Body: VoteRequest { Topics: [{ Partitions: [{ PreVote: false } request] }] } },
            } step) return null;
        RaftNodeReading node = observation.Nodes.Single(n => n.NodeId == step.NodeId);
        if (!node.IsRunning) return null;
        foreach (NodeEffect effect in step.Effects)
        {
            if (effect is not NodeEffect.Respond { Body: VoteResponse { Topics: [{ Partitions: [{ VoteGranted: true } granted] }] } }) continue;
            QuorumStateData? durable = node.Persisted;
            if (durable is null || durable.LeaderEpoch != granted.LeaderEpoch || durable.VotedId != request.CandidateId)
                return Violation($"node {node.NodeId} granted its vote to {request.CandidateId} in epoch {granted.LeaderEpoch} " +
                    $"but its disk holds {(durable is null ? "no quorum state" : $"epoch {durable.LeaderEpoch}, vote {durable.VotedId}")}");
        }
        return null;
    }
}
