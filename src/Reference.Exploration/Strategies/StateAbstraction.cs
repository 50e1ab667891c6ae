using Reference.Core.Raft;
using Reference.Simulation.Monitors;

namespace Reference.Exploration.Strategies;

/// <summary>
/// The abstract state bounded DFS hashes, since real nodes cannot be cloned or compared whole. Per node:
/// running or not; its replica's quorum state kind, epoch and leader; the vote its disk holds; its log's
/// end, durable end and high watermark; how long until its next Raft timeout (time is otherwise left out, but
/// a timer that fires without a visible change has still moved the node toward its election). Plus the multiset of pending events, each by its signature (kind,
/// endpoints, API; no times, no correlation ids). Left out on purpose: absolute virtual time, other timers' due times,
/// message contents beyond their API, the metadata image and the workload's history. Two states with one
/// hash may so differ in what a later timeout or a message's payload does: the search is then incomplete,
/// never unsound (a violation it reports is real, since every iteration runs the real nodes).
/// </summary>
public static class StateAbstraction
{
    public static ulong Hash(ClusterView view, ulong pendingDigest)
    {
        ulong hash = Mix(pendingDigest);
        foreach (NodeView node in view.Nodes)
        {
            hash = Mix(hash ^ (ulong)node.NodeId);
            if (node.PersistedQuorumState is { } persisted)
                hash = Mix(hash ^ (ulong)(uint)persisted.LeaderEpoch << 32 ^ (ulong)(uint)persisted.VotedId);
            if (node.Node is not Core.Node.Node running)
            {
                hash = Mix(hash ^ 0xD0);
                continue;
            }
            RaftReplica raft = running.Raft;
            hash = Mix(hash ^ (ulong)raft.State << 48 ^ (ulong)(uint)raft.Epoch << 16 ^ (ulong)(uint)(raft.LeaderId ?? -1));
            hash = Mix(hash ^ (ulong)raft.LogEndOffset << 40 ^ (ulong)raft.DurableEndOffset << 20 ^ (ulong)raft.HighWatermark);
            // How far its next timeout is: a timer that fired without a visible change still moved the node toward its election.
            hash = Mix(hash ^ (ulong)Math.Max(0, raft.NextDeadlineMs - view.NowMs));
        }
        return hash;
    }

    /// <summary>SplitMix64's finaliser: spreads a combined value over all 64 bits.</summary>
    public static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}
