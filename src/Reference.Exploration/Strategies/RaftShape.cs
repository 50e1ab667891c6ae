using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Raft;
using Reference.Simulation.Monitors;

namespace Reference.Exploration.Strategies;

/// <summary>
/// The coverage that <see cref="CoverageGuidedStrategy"/> steers by: the shape of the cluster's metadata logs
/// and quorum states, with node names, absolute epochs and absolute offsets abstracted away, so that a shape
/// is new only when the logs stand in a new relation to each other. Per node: running or not, its quorum state
/// kind (leader or not), its log's last <see cref="RunsKept"/> epoch runs (the leader-epoch cache: where each
/// epoch starts), and the epochs of the entries just below its durable end and its high watermark. Epochs are
/// replaced by their rank among the epochs in the shape and offsets by their rank among the run starts in it
/// (dense ranks), and the per-node tuples are
/// sorted, so "a down node holds an entry of an epoch nobody else has, at an offset another node filled in a
/// later epoch" is one shape whichever nodes, epochs and offsets make it. Raft's safety arguments are about
/// exactly these relations (log matching, up-to-dateness, what the high watermark covers).
/// </summary>
public static class RaftShape
{
    /// <summary>Epoch runs kept per log, latest first: older runs are a prefix the nodes agree on or long past.</summary>
    public const int RunsKept = 3;

    /// <summary>Nodes a shape describes at most (the explorer's clusters are small).</summary>
    private const int NodesMax = 16;

    /// <summary>The shape's hash; equal for clusters whose logs and quorum states stand in the same relations.</summary>
    public static ulong Hash(ClusterView view)
    {
        int count = Math.Min(view.Nodes.Count, NodesMax);
        var nodes = new NodeShape[count];
        var epochs = new List<long>(count * (RunsKept + 1));
        var offsets = new List<long>(count * (RunsKept + 3));
        for (int i = 0; i < count; i++)
        {
            nodes[i] = NodeShape.Of(view.Nodes[i]);
            nodes[i].Collect(epochs, offsets);
        }
        epochs.Sort();
        offsets.Sort();
        var hashes = new ulong[count];
        for (int i = 0; i < count; i++) hashes[i] = nodes[i].Hash(epochs, offsets);
        Array.Sort(hashes);
        ulong hash = 0xC0FFEE;
        foreach (ulong node in hashes) hash = StateAbstraction.Mix(hash ^ node);
        return hash;
    }

    /// <summary>One node's part of the shape, before ranking.</summary>
    private sealed class NodeShape
    {
        private bool _running, _leader;
        private readonly List<EpochStartOffset> _runs = new(RunsKept);
        private long _durableEnd, _highWatermark;

        public static NodeShape Of(NodeView view)
        {
            var shape = new NodeShape();
            IReadOnlyList<EpochStartOffset> runs = view.Storage.LeaderEpochs(TopicPartition.ClusterMetadata);
            for (int i = Math.Max(0, runs.Count - RunsKept); i < runs.Count; i++) shape._runs.Add(runs[i]);
            shape._durableEnd = view.Storage.Extent(TopicPartition.ClusterMetadata).DurableEndOffset;
            shape._highWatermark = -1;
            if (view.Node is Core.Node.Node running)
            {
                shape._running = true;
                shape._leader = running.Raft.State == QuorumStateKind.Leader;
                shape._highWatermark = running.Raft.HighWatermark;
            }
            return shape;
        }

        public void Collect(List<long> epochs, List<long> offsets)
        {
            foreach (EpochStartOffset run in _runs)
            {
                epochs.Add(run.Epoch);
                offsets.Add(run.StartOffset);
            }
        }

        public ulong Hash(List<long> epochs, List<long> offsets)
        {
            ulong hash = StateAbstraction.Mix(_running ? _leader ? 2UL : 1UL : 0UL);
            foreach (EpochStartOffset run in _runs)
                hash = StateAbstraction.Mix(hash ^ (ulong)Rank(epochs, run.Epoch) << 8 ^ (ulong)Rank(offsets, run.StartOffset) << 24);
            // A leader's durable end and high watermark decide what it commits: the epochs of the entries just below
            // them. A follower's are left out: they trail the leader's by a fetch or a flush, and only add noise.
            if (!_leader) return hash;
            return StateAbstraction.Mix(hash ^ (ulong)(EpochBelow(_durableEnd, epochs) + 1) << 8 ^ (ulong)(EpochBelow(_highWatermark, epochs) + 1) << 24);
        }

        /// <summary>The rank of the epoch of the entry just below <paramref name="offset"/>; -1 when it lies before the kept runs.</summary>
        private int EpochBelow(long offset, List<long> epochs)
        {
            for (int i = _runs.Count - 1; i >= 0; i--)
                if (_runs[i].StartOffset < offset) return Rank(epochs, _runs[i].Epoch);
            return -1;
        }
        /// <summary>The dense rank of <paramref name="value"/> in the sorted <paramref name="values"/> (duplicates count once).</summary>
        private static int Rank(List<long> values, long value)
        {
            int rank = 0;
            for (int i = 0; i < values.Count && values[i] < value; i++)
                if (i == 0 || values[i] != values[i - 1]) rank++;
            return rank;
        }
    }
}
