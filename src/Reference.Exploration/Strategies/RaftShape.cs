using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Raft;
using Reference.Simulation.Monitors;

namespace Reference.Exploration.Strategies;

/// <summary>
/// The coverage that <see cref="CoverageGuidedStrategy"/> steers by: how the nodes' metadata logs diverge, with
/// node names, absolute epochs and absolute offsets abstracted away, so that a shape is new only when the logs
/// stand in a new relation to each other. The logs' common prefix (the offsets below which every node holds
/// the same epochs: by Raft's log matching, the same entries) is left out; beyond it, per node: down, up or
/// leading; the epoch runs it holds there (the leader-epoch cache: which epoch starts where); and for a leader,
/// the epochs of its entries just below its durable end and below its high watermark. Epochs are replaced by
/// their rank among the epochs held beyond the common prefix and run starts by their rank among those starts,
/// and the per-node parts are sorted, so "a down node holds an entry of an epoch nobody else has, at an offset
/// another node filled in a later epoch" is one shape whichever nodes, epochs and offsets make it. Raft's safety
/// arguments are about exactly these relations (log matching, up-to-dateness, what the high watermark covers);
/// what the nodes agree on, and how far a follower trails, are not.
/// </summary>
public static class RaftShape
{
    /// <summary>Nodes a shape describes at most (the explorer's clusters are small).</summary>
    private const int NodesMax = 16;

    /// <summary>The shape's hash; equal for clusters whose logs and quorum states stand in the same relations.</summary>
    public static ulong Hash(ClusterView view)
    {
        int count = Math.Min(view.Nodes.Count, NodesMax);
        var nodes = new NodeLog[count];
        for (int i = 0; i < count; i++) nodes[i] = NodeLog.Of(view.Nodes[i]);
        long common = long.MaxValue;
        for (int i = 0; i < count; i++) common = Math.Min(common, nodes[0].AgreesWith(nodes[i]));
        var epochs = new List<int>();
        var starts = new List<long>();
        foreach (NodeLog node in nodes) node.CollectBeyond(common, epochs, starts);
        epochs.Sort();
        starts.Sort();
        var hashes = new ulong[count];
        for (int i = 0; i < count; i++) hashes[i] = nodes[i].Hash(common, epochs, starts);
        Array.Sort(hashes);
        ulong hash = 0xC0FFEE;
        foreach (ulong node in hashes) hash = StateAbstraction.Mix(hash ^ node);
        return hash;
    }

    /// <summary>One node's metadata log and role, read from its view.</summary>
    private sealed class NodeLog
    {
        private IReadOnlyList<EpochStartOffset> _runs = [];
        private long _start, _end, _durableEnd, _highWatermark;
        private bool _running, _leader;

        public static NodeLog Of(NodeView view)
        {
            LogExtent extent = view.Storage.Extent(TopicPartition.ClusterMetadata);
            var log = new NodeLog
            {
                _runs = view.Storage.LeaderEpochs(TopicPartition.ClusterMetadata),
                _start = extent.StartOffset,
                _end = extent.EndOffset,
                _durableEnd = extent.DurableEndOffset,
                _highWatermark = -1,
            };
            if (view.Node is Core.Node.Node running)
            {
                log._running = true;
                log._leader = running.Raft.State == QuorumStateKind.Leader;
                log._highWatermark = running.Raft.HighWatermark;
            }
            return log;
        }

        /// <summary>The epoch of the entry at <paramref name="offset"/> (below the end); -1 below the log's start (a snapshot's).</summary>
        private int EpochAt(long offset)
        {
            if (offset < _start) return -1;
            for (int i = _runs.Count - 1; i >= 0; i--)
                if (_runs[i].StartOffset <= offset) return _runs[i].Epoch;
            return -1;
        }

        /// <summary>How far this log and <paramref name="other"/> hold the same epochs from offset 0 (where they first differ, or the shorter's end).</summary>
        public long AgreesWith(NodeLog other)
        {
            long shorter = Math.Min(_end, other._end);
            // Epochs change only at run starts: comparing at each start (of either log) below the shorter end suffices.
            long firstDifference = shorter;
            if (EpochAt(0) != other.EpochAt(0) && shorter > 0) return 0;
            foreach (EpochStartOffset run in _runs)
                if (run.StartOffset < firstDifference && EpochAt(run.StartOffset) != other.EpochAt(run.StartOffset)) firstDifference = run.StartOffset;
            foreach (EpochStartOffset run in other._runs)
                if (run.StartOffset < firstDifference && EpochAt(run.StartOffset) != other.EpochAt(run.StartOffset)) firstDifference = run.StartOffset;
            return firstDifference;
        }

        /// <summary>The runs this log holds at or beyond <paramref name="common"/>, the first clipped to start there (a run at index -1).</summary>
        private EpochStartOffset RunBeyond(long common, int index) => index < 0 ? new EpochStartOffset(EpochAt(common), common) : _runs[index];

        /// <summary>Whether run <paramref name="index"/> (-1: the clipped first) lies beyond <paramref name="common"/>, within the log.</summary>
        private bool IsBeyond(long common, int index) =>
            common < _end && (index < 0 || (_runs[index].StartOffset > common && _runs[index].StartOffset < _end));

        public void CollectBeyond(long common, List<int> epochs, List<long> starts)
        {
            for (int i = -1; i < _runs.Count; i++)
            {
                if (!IsBeyond(common, i)) continue;
                EpochStartOffset run = RunBeyond(common, i);
                epochs.Add(run.Epoch);
                starts.Add(run.StartOffset);
            }
        }

        public ulong Hash(long common, List<int> epochs, List<long> starts)
        {
            ulong hash = StateAbstraction.Mix(_running ? _leader ? 2UL : 1UL : 0UL);
            for (int i = -1; i < _runs.Count; i++)
            {
                if (!IsBeyond(common, i)) continue;
                EpochStartOffset run = RunBeyond(common, i);
                hash = StateAbstraction.Mix(hash ^ (ulong)Rank(epochs, run.Epoch) << 8 ^ (ulong)Rank(starts, run.StartOffset) << 24);
            }
            // A leader's durable end and high watermark decide what it commits: the epochs of the entries just below
            // them, beyond the common prefix (0 when within it). A follower's trail the leader's by a fetch or a flush.
            if (!_leader) return hash;
            return StateAbstraction.Mix(hash ^ (ulong)Below(_durableEnd, common, epochs) << 8 ^ (ulong)Below(_highWatermark, common, epochs) << 24);
        }

        private int Below(long bound, long common, List<int> epochs) => bound > common && bound <= _end ? 1 + Rank(epochs, EpochAt(bound - 1)) : 0;

        /// <summary>The dense rank of <paramref name="value"/> in the sorted <paramref name="values"/> (duplicates count once).</summary>
        private static int Rank<T>(List<T> values, T value) where T : IComparable<T>
        {
            int rank = 0;
            for (int i = 0; i < values.Count && values[i].CompareTo(value) < 0; i++)
                if (i == 0 || values[i].CompareTo(values[i - 1]) != 0) rank++;
            return rank;
        }
    }
}
