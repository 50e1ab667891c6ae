using Reference.Core;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Reference.Simulation.Monitors;
using Reference.Simulation.Tests.Toys;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Tests.Cluster;

/// <summary>How the simulator holds nodes to the shell contract (Reference.Core's README) and to its own bounds.</summary>
public sealed class ShellContractTests
{
    /// <summary>A toy node whose every step is a script: what it does at Started and on each later input.</summary>
    private sealed class ScriptedNode(Func<NodeInput, IReadOnlyList<NodeEffect>> step) : INode
    {
        public List<NodeInput> Inputs { get; } = [];

        public IReadOnlyList<NodeEffect> Handle(NodeInput input)
        {
            Inputs.Add(input);
            return step(input);
        }
    }

    private static NodeImplementation Scripted(string name, Func<NodeConfig, NodeInput, IReadOnlyList<NodeEffect>> step) =>
        new(name, (config, _, _, _) => new ScriptedNode(input => step(config, input)));

    private static SimRun Run(NodeImplementation node, int voters = 1, long durationMs = 1_000, int queuedEventsMax = 1_000_000, IReadOnlyList<IMonitor>? monitors = null) =>
        SimRun.Of(new SimulationOptions { Seed = 1, Voters = voters, DurationMs = durationMs, StartupSpreadMs = 0, QueuedEventsMax = queuedEventsMax }, node, monitors);

    [Fact]
    public void EveryWakeUpTimeIsHonouredAndOneWakeUpSatisfiesEveryEarlierTime()
    {
        SimRun run = Run(Scripted("toy.wakes", (_, input) => input is NodeInput.Started
            ? [new NodeEffect.WakeAt(100), new NodeEffect.WakeAt(50), new NodeEffect.WakeAt(100), new NodeEffect.WakeAt(200), new NodeEffect.WakeAt(-5)]
            : []));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        var node = (ScriptedNode)run.Cluster.View.Node(1).Node!;
        Assert.Equal([0L, 0, 50, 100, 200], node.Inputs.Select(i => i.NowMs));
        Assert.IsType<NodeInput.Started>(node.Inputs[0]);
        Assert.All(node.Inputs.Skip(1), input => Assert.IsType<NodeInput.TimeAdvanced>(input));
    }

    [Fact]
    public void AnAppendThatIsNotAtTheLogEndIsADiskContractViolation()
    {
        byte[] batch = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = 5 }).Append(0, key: null, value: new byte[] { 1 }).Build();
        SimRun run = Run(Scripted("toy.gap", (_, input) => input is NodeInput.Started ? [new NodeEffect.AppendToLog(new TopicPartition("t", 0), 5, batch)] : []));
        Assert.Equal(SimulatorViolations.DiskContract, run.Result.Outcome.ViolationName);
        Assert.Contains("appended to t-0 at offset 5, but the log ends at 0", run.Result.Outcome.Message);
    }

    [Fact]
    public void ARequestToItselfThroughTheShellIsAShellContractViolation()
    {
        SimRun run = Run(Scripted("toy.self", (config, input) => input is NodeInput.Started
            ? [new NodeEffect.SendRequest(config.NodeId, 1, 0, new ApiVersionsRequest())]
            : []));
        Assert.Equal(SimulatorViolations.ShellContract, run.Result.Outcome.ViolationName);
        Assert.Contains("n1 sent ApiVersions to itself through the shell", run.Result.Outcome.Message);
    }

    [Fact]
    public void AnAnswerOfAnotherApiIsAShellContractViolation()
    {
        // The token toy answers every request with ApiVersions, CreateTopics included.
        SimRun run = SimRun.Of(new SimulationOptions { Seed = 1, DurationMs = 5_000 }, TokenNode.Correct, workload: new MetadataProposalWorkload());
        Assert.Equal(SimulatorViolations.ShellContract, run.Result.Outcome.ViolationName);
        Assert.Matches("n[0-9] answered ApiVersions v7 correlation id [0-9]+ on conn-[0-9]+ c[0-9]->n[0-9], which holds CreateTopics v7", run.Result.Outcome.Message);
    }

    [Fact]
    public void ANodeThatThrowsIsAFindingWithItsMessage()
    {
        SimRun run = Run(Scripted("toy.throws", (_, input) => input is NodeInput.TimeAdvanced
            ? throw new InvalidOperationException("assertion failed: epoch went backwards")
            : [new NodeEffect.WakeAt(300)]));
        Assert.Equal(SimulatorViolations.NodeThrew, run.Result.Outcome.ViolationName);
        Assert.Equal("n1 threw InvalidOperationException handling TimeAdvanced: assertion failed: epoch went backwards", run.Result.Outcome.Message);
        Assert.Equal(300, run.Result.VirtualTimeMs);
        Assert.Contains("300 n1 time\n  = threw InvalidOperationException \"assertion failed: epoch went backwards\"\n", run.Trace);
    }

    [Fact]
    public void ANodeAskingForWakeUpsWithoutBoundIsStopped()
    {
        // Every step asks to wake in a millisecond, and at a thousand new far-off times it never lets go of.
        SimRun run = Run(Scripted("toy.wake-flood", (_, input) => Enumerable.Range(1, 1_000)
            .Select(i => (NodeEffect)new NodeEffect.WakeAt(10_000_000 + input.NowMs * 1_000 + i))
            .Append(new NodeEffect.WakeAt(input.NowMs + 1)).ToList()));
        Assert.Equal(SimulatorViolations.Bound, run.Result.Outcome.ViolationName);
        Assert.Contains("wake-up times pending", run.Result.Outcome.Message);
    }

    [Fact]
    public void AFullAgendaIsAViolationNotAHang()
    {
        SimRun run = Run(PingNode.Implementation, voters: 3, queuedEventsMax: 5);
        Assert.Equal(SimulatorViolations.Bound, run.Result.Outcome.ViolationName);
        Assert.Contains("more than 5 events pending", run.Result.Outcome.Message);
        Assert.EndsWith("stop=Violation\noutcome violation name=Simulator.Bound message=\"more than 5 events pending: something schedules events without bound\"\n", run.Trace);
    }

    /// <summary>Counts a "leader change" on every step, to see the count reach the result.</summary>
    private sealed class CountsSteps : IMonitor
    {
        public string Name => "CountsSteps";

        public IReadOnlyList<string> SometimesGoals => [CoverageGoals.LeaderChange, "toy.never"];

        public MonitorViolation? Check(ClusterView view)
        {
            if (view.LastEvent is SimulationEvent.InputDelivered) view.Coverage.Reached(CoverageGoals.LeaderChange);
            return null;
        }
    }

    [Fact]
    public void LeaderChangesAndUnreachedGoalsReachTheResultWhenAMonitorCountsThem()
    {
        SimRun withoutMonitor = Run(PingNode.Implementation, voters: 2);
        Assert.Null(withoutMonitor.Result.LeaderChanges);
        SimRun run = Run(PingNode.Implementation, voters: 2, monitors: [new CountsSteps()]);
        Assert.Equal(run.Result.InputsDelivered, run.Result.LeaderChanges);
        Assert.Equal(["toy.never"], run.Result.Coverage.Unreached);
        Assert.Equal(run.Result.Events, run.Result.MonitorChecks);
    }

    [Fact]
    public void AddingANodeLeavesTheOtherNodesRandomnessAlone()
    {
        ulong FirstDraw(int voters, int observers, int nodeId)
        {
            var draws = new SortedDictionary<int, ulong>();
            var node = new NodeImplementation("toy.draws", (config, _, _, random) =>
            {
                var bytes = new byte[8];
                random.NextBytes(bytes);
                draws[config.NodeId] = BitConverter.ToUInt64(bytes);
                return new ScriptedNode(_ => []);
            });
            SimRun.Of(new SimulationOptions { Seed = 9, Voters = voters, Observers = observers, DurationMs = 200 }, node);
            return draws[nodeId];
        }
        Assert.Equal(FirstDraw(3, 0, 2), FirstDraw(3, 2, 2));
        Assert.Equal(FirstDraw(3, 0, 2), FirstDraw(5, 0, 2));
        Assert.NotEqual(FirstDraw(3, 0, 1), FirstDraw(3, 0, 2));
    }
}
