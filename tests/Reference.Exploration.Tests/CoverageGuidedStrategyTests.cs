using System.Globalization;
using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Raft;
using Reference.Exploration.Strategies;
using Reference.Simulation.Monitors;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Tests;

/// <summary>The coverage-guided strategy and the log shapes it steers by (<see cref="RaftShape"/>).</summary>
public sealed class CoverageGuidedStrategyTests
{
    private static readonly ExplorationOptions Election = new() { Voters = 3, Iterations = 40, StepsMax = 250, Workload = ExplorationWorkload.None, CrashesMax = 2, DropsMax = 0 };

    /// <summary>Replays one decision list, then reads the coverage key where it ends.</summary>
    private sealed class KeyAtTheEnd(IReadOnlyList<ScheduleChoice> decisions) : IExplorationStrategy
    {
        private int _next, _faults;

        public ulong? Key { get; private set; }

        public string Name => "key-at-the-end";

        public bool RunsOneCluster => true;

        public bool BeginIteration(int iteration) => iteration == 0;

        public int Choose(ScheduleStep step)
        {
            if (_next == decisions.Count)
            {
                Key = CoverageGuidedStrategy.Key(step.View, _faults);
                return ScheduleStep.EndOfPrefix;
            }
            int pick = DecisionMatch.Find(step.Choices, decisions[_next++]);
            Assert.True(pick >= 0, $"decision {_next - 1} ({decisions[_next - 1]}) is not on offer");
            if (step.Choices[pick].Lane == ScheduleChoice.FaultLane) _faults++;
            return pick;
        }
    }

    [Fact]
    public void EveryScheduleKeptReplaysToTheShapeItFirstReached()
    {
        var coverage = new CoverageGuidedStrategy(5);
        new Explorer(Election with { Seed = 5 }).Run(coverage);
        Assert.Equal(coverage.Shapes, coverage.CorpusSize);
        Assert.True(coverage.CorpusSize > 15, $"only {coverage.CorpusSize} shapes in {Election.Iterations} iterations");
        Assert.Contains(coverage.Corpus, entry => entry.Decisions.Any(d => d.Kind == ChoiceKind.Crash));
        // The later entries build on earlier ones: their prefixes are the deepest and the hardest to replay exactly.
        foreach (CorpusEntry entry in coverage.Corpus.TakeLast(25))
        {
            var replay = new KeyAtTheEnd(entry.Decisions);
            new Explorer(Election with { Seed = 5, Iterations = 1 }).Run(replay);
            Assert.Equal(entry.Key, replay.Key);
        }
    }

    [Fact]
    public void LaterIterationsBuildOnSchedulesKeptEarlier()
    {
        var coverage = new CoverageGuidedStrategy(9);
        new Explorer(Election with { Seed = 9 }).Run(coverage);
        // An entry whose decisions start with an earlier entry's whole schedule was found by walking on from it.
        int built = 0;
        for (int i = 1; i < coverage.Corpus.Count; i++)
        {
            IReadOnlyList<ScheduleChoice> later = coverage.Corpus[i].Decisions;
            if (coverage.Corpus.Take(i).Any(earlier => earlier.Decisions.Count > 20 && later.Take(earlier.Decisions.Count).SequenceEqual(earlier.Decisions))) built++;
        }
        Assert.True(built > coverage.Corpus.Count / 4, $"{built} of {coverage.Corpus.Count} entries extend an earlier one");
    }

    /// <summary>
    /// The shape, spelt out as text by its definition (<see cref="RaftShape"/>'s summary), the slow way: the common
    /// prefix found offset by offset; per node, down, up or leading, the epoch runs beyond it as ranks, and for a
    /// leader the epochs just below its durable end and its high watermark; the nodes' texts sorted, so no node id
    /// is in it.
    /// </summary>
    private static string Spelt(ClusterView view)
    {
        var logs = view.Nodes.Select(n => (Node: n, Extent: n.Storage.Extent(TopicPartition.ClusterMetadata), Runs: n.Storage.LeaderEpochs(TopicPartition.ClusterMetadata))).ToList();
        int EpochAt(IReadOnlyList<EpochStartOffset> runs, long offset) => runs.LastOrDefault(r => r.StartOffset <= offset) is { } run && runs.Any(r => r.StartOffset <= offset) ? run.Epoch : -1;
        long common = 0;
        while (logs.All(l => common < l.Extent.EndOffset) && logs.All(l => EpochAt(l.Runs, common) == EpochAt(logs[0].Runs, common))) common++;
        // Beyond the common prefix: a run per change of epoch, the first starting at the common prefix's end.
        List<(int Epoch, long Start)> Beyond(IReadOnlyList<EpochStartOffset> runs, long end)
        {
            var beyond = new List<(int Epoch, long Start)>();
            for (long offset = common; offset < end; offset++)
                if (beyond.Count == 0 || beyond[^1].Epoch != EpochAt(runs, offset)) beyond.Add((EpochAt(runs, offset), offset));
            return beyond;
        }
        var beyondByNode = logs.ToDictionary(l => l.Node.NodeId, l => Beyond(l.Runs, l.Extent.EndOffset));
        List<int> epochs = [.. beyondByNode.Values.SelectMany(b => b).Select(r => r.Epoch).Distinct().Order()];
        List<long> starts = [.. beyondByNode.Values.SelectMany(b => b).Select(r => r.Start).Distinct().Order()];
        var nodes = new List<string>();
        foreach (var log in logs)
        {
            string text = string.Join(",", beyondByNode[log.Node.NodeId].Select(r => $"{epochs.IndexOf(r.Epoch)}@{starts.IndexOf(r.Start)}"));
            if (log.Node.Node is not Core.Node.Node running) nodes.Add("down " + text);
            else if (running.Raft.State != QuorumStateKind.Leader) nodes.Add("up " + text);
            else nodes.Add($"leader {text} durable-below {Below(log.Extent.DurableEndOffset)} committed-below {Below(running.Raft.HighWatermark)}");

            string Below(long bound) => bound > common && bound <= log.Extent.EndOffset ? epochs.IndexOf(EpochAt(log.Runs, bound - 1)).ToString(CultureInfo.InvariantCulture) : "-";
        }
        nodes.Sort(StringComparer.Ordinal);
        return string.Join(" | ", nodes);
    }

    /// <summary>Reads every step's shape two ways: the hash and the spelt-out text.</summary>
    private sealed class TwoReadings(IExplorationStrategy inner) : IExplorationStrategy
    {
        public Dictionary<string, ulong> HashBySpelling { get; } = [];
        public HashSet<ulong> Hashes { get; } = [];
        public List<(string Spelling, int LeaderId)> Leaders { get; } = [];

        public string Name => inner.Name;

        public bool RunsOneCluster => inner.RunsOneCluster;

        public bool BeginIteration(int iteration) => inner.BeginIteration(iteration);

        public int Choose(ScheduleStep step)
        {
            string spelt = Spelt(step.View);
            ulong hash = RaftShape.Hash(step.View);
            if (HashBySpelling.TryGetValue(spelt, out ulong earlier)) Assert.True(earlier == hash, $"one shape, two hashes: {spelt}");
            else Assert.True(Hashes.Add(hash), $"two shapes, one hash: {spelt}");
            HashBySpelling[spelt] = hash;
            foreach (NodeView node in step.View.Nodes)
                if (node.Node is Core.Node.Node { Raft.State: QuorumStateKind.Leader }) Leaders.Add((spelt, node.NodeId));
            return inner.Choose(step);
        }
    }

    [Fact]
    public void TheShapeHashIsItsDefinitionAndNamesNoNode()
    {
        var readings = new TwoReadings(new CoverageGuidedStrategy(3));
        new Explorer(Election with { Seed = 3, Iterations = 60 }).Run(readings);
        Assert.True(readings.HashBySpelling.Count > 30, $"only {readings.HashBySpelling.Count} shapes");
        // Some shape was reached with different nodes leading: the hash is the same for both (checked above).
        Assert.Contains(readings.Leaders.GroupBy(l => l.Spelling), g => g.Select(l => l.LeaderId).Distinct().Count() > 1);
    }
}
