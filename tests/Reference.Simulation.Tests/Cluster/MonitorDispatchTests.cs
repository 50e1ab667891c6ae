using Reference.Core;
using Reference.Core.Node;
using Reference.Simulation.Monitors;

namespace Reference.Simulation.Tests.Cluster;

/// <summary>
/// The shapes the simulator hands monitors for speed must say what the plain ones say: a monitor that implements
/// only <see cref="IMonitor"/> is checked through <see cref="SafetyMonitor.ForChecks"/>'s adapter unchanged, and a
/// step's <see cref="SimulationEvent.InputDelivered.EffectSpan"/> is its effects, in order.
/// </summary>
public sealed class MonitorDispatchTests
{
    private sealed class InterfaceOnly : IMonitor
    {
        public int Checks { get; private set; }

        public string Name => "InterfaceOnly";

        public IReadOnlyList<string> SometimesGoals => ["goal"];

        public MonitorViolation? Check(ClusterView view) => ++Checks == 2 ? new MonitorViolation("second check") : null;
    }

    private sealed class ClassMonitor : SafetyMonitor
    {
        public override string Name => "ClassMonitor";

        public override MonitorViolation? Check(ClusterView view) => null;
    }

    [Fact]
    public void ForChecksKeepsTheOrderAndWrapsOnlyInterfaceMonitors()
    {
        var plain = new InterfaceOnly();
        var asClass = new ClassMonitor();
        SafetyMonitor[] checks = SafetyMonitor.ForChecks([plain, asClass]);
        Assert.Same(asClass, checks[1]);
        Assert.NotSame(plain, checks[0]);
        Assert.Equal("InterfaceOnly", checks[0].Name);
        Assert.Equal(["goal"], checks[0].SometimesGoals);
        Assert.Null(checks[0].Check(null!));
        Assert.Equal("second check", checks[0].Check(null!)?.Message);
        Assert.Equal(2, plain.Checks);
    }

    [Fact]
    public void AStepsEffectSpanIsItsEffectsInOrderWhateverTheList()
    {
        NodeEffect[] effects = [new NodeEffect.FlushLog(TopicPartition.ClusterMetadata), new NodeEffect.TruncateLog(TopicPartition.ClusterMetadata, 3)];
        var fromArray = new SimulationEvent.InputDelivered(1, 1, new NodeInput.TimeAdvanced(1), effects);
        var fromList = new SimulationEvent.InputDelivered(1, 1, new NodeInput.TimeAdvanced(1), effects.ToList());
        Assert.Equal(effects, fromArray.EffectSpan.ToArray());
        Assert.Equal(effects, fromList.EffectSpan.ToArray());
        Assert.True(new SimulationEvent.InputDelivered(1, 1, new NodeInput.TimeAdvanced(1), []).EffectSpan.IsEmpty);
    }
}
