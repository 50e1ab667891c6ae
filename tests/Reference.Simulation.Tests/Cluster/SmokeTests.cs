using Reference.Simulation.Tests.Toys;

namespace Reference.Simulation.Tests.Cluster;

public sealed class SmokeTests
{
    [Fact]
    public void PingNodesRunAMinuteWithoutFaults()
    {
        SimRun run = SimRun.Of(new SimulationOptions { Seed = 1, DurationMs = 60_000 }, PingNode.Implementation);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        Assert.Equal(StopReason.DurationReached, run.Result.Stop);
        var node = (PingNode)run.Cluster.View.Node(1).Node!;
        Assert.InRange(node.Sent[2], 590, 610);
        Assert.InRange(node.Answered[2], node.Sent[2] - 2, node.Sent[2]);
    }
}
