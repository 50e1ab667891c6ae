using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Exploration.Shrinking;
using Reference.Exploration.Strategies;
using Reference.Protocol.Messages;
using Reference.Simulation.Scheduling;
using Reference.Simulation.Traces;
using Reference.Spec.Raft;

namespace Reference.Exploration.Tests;

/// <summary>
/// The museum's Figure 8 exhibit (<see cref="ReintroducedBugs.CommitPriorEpochByCounting"/>) is reachable in
/// this core: a scripted adversary, using only the explorer's own choices (three crashes, messages held back,
/// an fsync held back), drives three real voters through the one shape in which KRaft's LeaderChange record
/// does not already protect the leader, and the flaw loses a committed entry. With the rule in place the
/// same adversary never sees the old entry committed. spec/README.md's museum table tells the story.
/// </summary>
public sealed class Figure8Tests
{
    /// <summary>
    /// The schedule, in phases (A, B, C are the voters as they turn out):
    /// 1. A leads epoch e and flushes its LeaderChange at offset a; no fetch reaches a leader, so only A has it; crash A.
    /// 2. B leads e+1 with C's vote, flushes its LeaderChange (also at offset a); still no fetch reaches a leader; A restarts, crash B.
    /// 3. C's vote requests are held back, so A wins e+2 with C's vote and appends its LeaderChange at a+1, whose fsync is
    ///    held back; C fetches everything. The leader counts its own durable end (a+1) and C's: with the flaw the high
    ///    watermark reaches a+1 and commits A's epoch-e entry; B restarts and A crashes, losing the unflushed record.
    /// 4. C's requests held back: B (last epoch e+1) wins over A (last epoch e) with A's vote, A truncates the entry to
    ///    follow B, and B's high watermark passes offset a holding its own LeaderChange there: ConsistentCommittedData fails.
    /// </summary>
    private sealed class Figure8Adversary : IExplorationStrategy
    {
        private int _phase = 1;
        private int _a = -1, _b = -1, _c = -1;

        public int Phase => _phase;

        public string Name => "figure-8-adversary";

        public bool BeginIteration(int iteration) => iteration == 0;

        public int Choose(ScheduleStep step)
        {
            RaftObservation raft = RaftObservation.Of(step.View);
            ReadOnlySpan<ScheduleChoice> choices = step.Choices;
            switch (_phase)
            {
                case 1 when LeaderWithFlushedStart(raft, exceptNode: -1) is int leader:
                    _a = leader;
                    _phase = 2;
                    return Find(choices, ChoiceKind.Crash, _a);
                case 2 when raft.Nodes.Single(n => n.NodeId == _a).IsRunning is false && LeaderWithFlushedStart(raft, exceptNode: _a) is int leader:
                    _b = leader;
                    _c = raft.Nodes.Single(n => n.NodeId != _a && n.NodeId != _b).NodeId;
                    return Find(choices, ChoiceKind.Start, _a);
                case 2 when _b > 0 && raft.Nodes.Single(n => n.NodeId == _a).IsRunning:
                    _phase = 3;
                    return Find(choices, ChoiceKind.Crash, _b);
                case 3 when raft.Nodes.Single(n => n.NodeId == _a).Replica is { IsLeader: true, LeaderEpochStartOffset: long start } leading
                            && leading.HighWatermark >= start:
                    _phase = 4;
                    return Find(choices, ChoiceKind.Start, _b);
                case 4 when raft.Nodes.Single(n => n.NodeId == _b).IsRunning && raft.Nodes.Single(n => n.NodeId == _a).IsRunning:
                    _phase = 5;
                    return Find(choices, ChoiceKind.Crash, _a);
            }
            for (int i = 0; i < choices.Length; i++)
                if (choices[i].Lane != ScheduleChoice.FaultLane && Allowed(choices[i], raft)) return i;
            return ScheduleStep.EndOfPrefix;
        }

        /// <summary>What the phase holds back (the network may delay any message, a disk any fsync not yet promised).</summary>
        private bool Allowed(ScheduleChoice choice, RaftObservation raft)
        {
            bool toLeader = raft.Nodes.Any(n => n.NodeId == choice.NodeId && n.Replica is { IsLeader: true });
            bool fetch = choice.Kind == ChoiceKind.Request && choice.ApiKey == (short)ApiKey.Fetch;
            bool voteFromC = choice.Kind == ChoiceKind.Request && choice.ApiKey == (short)ApiKey.Vote && choice.FromId == _c;
            return _phase switch
            {
                1 or 2 => !(fetch && toLeader) && !(choice.Kind == ChoiceKind.Start && choice.NodeId == _a && _b < 0 && _phase == 2),
                3 => !voteFromC && !(choice.Kind == ChoiceKind.Flush && choice.NodeId == _a) && !(choice.Kind == ChoiceKind.Start && choice.NodeId == _b),
                4 => !voteFromC && !(choice.Kind == ChoiceKind.Flush && choice.NodeId == _a),
                // C knows the old entry committed: its requests wait, or its own check (no truncation below the
                // high watermark) stops the run before the monitors see the new leader commit over the entry.
                _ => !(choice.Kind == ChoiceKind.Request && choice.FromId == _c),
            };
        }

        /// <summary>A running voter leading an epoch whose LeaderChange record is durable on its own disk.</summary>
        private static int? LeaderWithFlushedStart(RaftObservation raft, int exceptNode)
        {
            foreach (RaftNodeReading node in raft.Nodes)
                if (node.NodeId != exceptNode && node.Replica is { IsLeader: true, LeaderEpochStartOffset: long start } && node.MetadataLog.DurableEndOffset > start)
                    return node.NodeId;
            return null;
        }

        private static int Find(ReadOnlySpan<ScheduleChoice> choices, ChoiceKind kind, int node)
        {
            for (int i = 0; i < choices.Length; i++)
                if (choices[i].Kind == kind && choices[i].NodeId == node) return i;
            throw new InvalidOperationException($"no {kind} of n{node} offered");
        }
    }

    private static ExplorationOptions Options(ReintroducedBugs bugs) => new()
    {
        Voters = 3, Iterations = 1, StepsMax = 3_000, CrashesMax = 3, DropsMax = 0, Workload = ExplorationWorkload.None, Bugs = bugs,
    };

    [Fact]
    public void TheFlawCommitsAnEarlierEpochsEntryThatALaterLeaderLacks()
    {
        var adversary = new Figure8Adversary();
        ExplorationReport report = new Explorer(Options(ReintroducedBugs.CommitPriorEpochByCounting)).Run(adversary);
        Assert.True(report.FirstFinding is not null, $"no violation; the adversary reached phase {adversary.Phase}");
        ExplorationFinding finding = report.FirstFinding;
        Assert.True("ConsistentCommittedData" == finding.Outcome.ViolationName, finding.Outcome.ToString());

        // The schedule shrinks and its trace replays to the same violation, as the museum's found exhibits do.
        var explorer = new Explorer(Options(ReintroducedBugs.CommitPriorEpochByCounting));
        ShrinkResult shrunk = new ScheduleShrinker(explorer, runsMax: 60).Shrink(finding.Seed, finding.Decisions, "ConsistentCommittedData");
        Assert.True(shrunk.Decisions.Count < finding.Decisions.Count, $"{shrunk.Decisions.Count} of {finding.Decisions.Count} decisions");
        Assert.Equal(3, shrunk.Decisions.Count(d => d.Kind == ChoiceKind.Crash));
        var text = new StringWriter();
        explorer.RunOnce(finding.Seed, shrunk.Decisions, new TraceWriter(text));
        TraceDocument trace = TraceReader.Read(new StringReader(text.ToString()));
        ReplayResult replay = new TraceReplayer(Simulation.SimulatedCluster.DefaultNode!, Spec.SpecMonitors.All()).Replay(trace);
        Assert.True(replay.IsIdentical, replay.ToString());
        Assert.Equal("ConsistentCommittedData", replay.Outcome.ViolationName);
    }

    [Fact]
    public void WithTheRuleInPlaceTheLeaderNeverCommitsTheEarlierEntry()
    {
        var adversary = new Figure8Adversary();
        ExplorationReport report = new Explorer(Options(ReintroducedBugs.None)).Run(adversary);
        Assert.Null(report.FirstFinding);
        Assert.Equal(3, adversary.Phase);
    }
}
