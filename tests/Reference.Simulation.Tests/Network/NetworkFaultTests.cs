using Reference.Core.Node;
using Reference.Simulation.Faults;
using Reference.Simulation.Tests.Toys;

namespace Reference.Simulation.Tests.Network;

/// <summary>The network as toy nodes experience it: loss at its rate, partitions that block, clogs that hold, duplicates.</summary>
public sealed class NetworkFaultTests
{
    private const long DurationMs = 60_000;
    private const int PingsPerPeer = (int)(DurationMs / PingNode.IntervalMs);

    private static SimRun Run(FaultSpec faults, params ScheduledFault[] scheduled) => SimRun.Of(new SimulationOptions
    {
        Seed = 11,
        DurationMs = DurationMs,
        Faults = faults,
        ScheduledFaults = scheduled,
        // Pings time out before the next one goes, so one lost message fails one ping and no more.
        ConfigureNode = config => config with { QuorumRequestTimeoutMs = 50 },
    }, PingNode.Implementation);

    private static PingNode Node(SimRun run, int nodeId) => (PingNode)run.Cluster.View.Node(nodeId).Node!;

    [Fact]
    public void MessagesAreLostAtRoughlyTheConfiguredRate()
    {
        SimRun run = Run(FaultSpec.None.With(FaultKnob.Loss, 100_000));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        double lostShare = (double)run.Result.MessagesLost / run.Result.MessagesSent;
        Assert.InRange(lostShare, 0.09, 0.11);
        // A ping fails when its request or its answer is lost: 1 - 0.9² = 19%.
        PingNode node = Node(run, 1);
        double failedShare = (double)node.Failures["timeout"] / (node.Sent[2] + node.Sent[3]);
        Assert.InRange(failedShare, 0.15, 0.23);
        Assert.Equal(node.Sent[2] + node.Sent[3], node.Answered.Values.Sum() + node.Failures.Values.Sum(), 2.0);
    }

    [Fact]
    public void APartitionBlocksBothWaysUntilItHeals()
    {
        SimRun run = Run(FaultSpec.None, new ScheduledFault(10_000, new ClusterFault.Partition(1, 2, HealAfterMs: 10_000)));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        int blockedPings = (int)(10_000 / PingNode.IntervalMs);
        Assert.InRange(Node(run, 2).Received["n1"], PingsPerPeer - blockedPings - 2, PingsPerPeer - blockedPings + 2);
        Assert.InRange(Node(run, 1).Received["n2"], PingsPerPeer - blockedPings - 2, PingsPerPeer - blockedPings + 2);
        Assert.InRange(Node(run, 3).Received["n1"], PingsPerPeer - 2, PingsPerPeer + 1);
        Assert.Contains("net \"partition n1<->n2 until 20000\"", run.Trace);
        Assert.Contains("net \"heal n1<->n2\"", run.Trace);
    }

    [Fact]
    public void AOneWayPartitionBlocksOnlyItsDirection()
    {
        SimRun run = Run(FaultSpec.None, new ScheduledFault(10_000, new ClusterFault.Partition(1, 2, OneWay: true, HealAfterMs: 10_000)));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        int blockedPings = (int)(10_000 / PingNode.IntervalMs);
        // n1's pings to n2 are lost; n2's pings reach n1, but n1's answers to them are lost.
        Assert.InRange(Node(run, 2).Received["n1"], PingsPerPeer - blockedPings - 2, PingsPerPeer - blockedPings + 2);
        Assert.InRange(Node(run, 1).Received["n2"], PingsPerPeer - 2, PingsPerPeer + 1);
        Assert.InRange(Node(run, 2).Answered[1], PingsPerPeer - blockedPings - 2, PingsPerPeer - blockedPings + 2);
    }

    [Fact]
    public void AClogHoldsMessagesButLosesNone()
    {
        SimRun run = Run(FaultSpec.None, new ScheduledFault(10_000, new ClusterFault.Clog(1, 2, DurationMs: 5_000)));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.Equal(Node(run, 1).Sent[2], Node(run, 2).Received["n1"], 1.0);
        Assert.InRange(Node(run, 1).Failures.GetValueOrDefault("timeout"), 45, 55);
    }

    [Fact]
    public void DuplicatedRequestsArriveTwiceAndDuplicatedAnswersAreDropped()
    {
        SimRun run = Run(FaultSpec.None.With(FaultKnob.Duplicate, 1_000_000));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.Equal(2 * Node(run, 1).Sent[2], Node(run, 2).Received["n1"], 2.0);
        Assert.Equal(Node(run, 1).Sent[2], Node(run, 1).Answered[2], 1.0);
    }

    [Fact]
    public void RequestsToADownNodeAreRefusedAndThoseInFlightTimeOut()
    {
        SimRun run = Run(FaultSpec.None, new ScheduledFault(10_000, new ClusterFault.Crash(2, RestartAfterMs: 5_000)));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.InRange(Node(run, 1).Failures["refused"], 48, 51);
        Assert.Equal(2, run.Cluster.View.Node(2).Incarnation);
        // The restarted node counts only what it received since its restart.
        Assert.InRange(Node(run, 2).Received["n1"], PingsPerPeer - 150 - 2, PingsPerPeer - 150 + 2);
    }

    [Fact]
    public void AServerHandlesOneRequestPerConnectionAtATime()
    {
        SimRun run = SimRun.Of(new SimulationOptions { Seed = 3, DurationMs = 5_000 }, SlowAnswerNode.Implementation);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        var node = (SlowAnswerNode)run.Cluster.View.Node(1).Node!;
        // Requests come every 10 ms but are answered 30 ms after they enter the core: a third of them get through.
        Assert.InRange(node.Answered, 2 * 5_000 / 30 - 10, 2 * 5_000 / 30 + 2);
    }
}
