using System.Globalization;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// The server.properties of a single combined node (broker and controller, Kafka's quickstart shape) on
/// 127.0.0.1 only. Its two settings that differ from the quickstart keep tests fast and possible on one
/// node: offsets.topic.replication.factor=1 (Kafka's default of 3 cannot be met) and
/// group.initial.rebalance.delay.ms=0 (Kafka waits 3 s for more members before the first rebalance).
/// A member of a cluster names every voter in <paramref name="QuorumVoters"/> and may add settings in
/// <paramref name="ExtraLines"/>. <paramref name="Roles"/> may make it broker-only (no controller listener:
/// it reaches the voters through controller.quorum.voters) or controller-only (no client listener).
/// </summary>
public sealed record ServerProperties(int NodeId, int ClientPort, int ControllerPort, string LogDirectory,
    string? QuorumVoters = null, IReadOnlyList<string>? ExtraLines = null, string Roles = "broker,controller")
{
    /// <summary><c>trace.record.path</c>, when the broker should record its core's inputs (off when null).</summary>
    public string? TraceRecordPath { get; init; }

    public bool IsBroker => Roles.Split(',').Contains("broker");

    public bool IsController => Roles.Split(',').Contains("controller");

    public string Text() => string.Join("\n", Lines()) + "\n";

    private IEnumerable<string> Lines()
    {
        string node = NodeId.ToString(CultureInfo.InvariantCulture);
        string client = ClientPort.ToString(CultureInfo.InvariantCulture);
        string controller = ControllerPort.ToString(CultureInfo.InvariantCulture);
        yield return $"node.id={node}";
        yield return $"process.roles={Roles}";
        yield return $"controller.quorum.voters={QuorumVoters ?? $"{node}@127.0.0.1:{controller}"}";
        IEnumerable<string> listeners = [.. IsBroker ? [$"PLAINTEXT://127.0.0.1:{client}"] : Array.Empty<string>(),
            .. IsController ? [$"CONTROLLER://127.0.0.1:{controller}"] : Array.Empty<string>()];
        yield return $"listeners={string.Join(",", listeners)}";
        if (IsBroker) yield return $"advertised.listeners=PLAINTEXT://127.0.0.1:{client}";
        yield return "controller.listener.names=CONTROLLER";
        if (IsBroker) yield return "inter.broker.listener.name=PLAINTEXT";
        yield return "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT";
        yield return $"log.dirs={LogDirectory}";
        yield return "offsets.topic.replication.factor=1";
        yield return "group.initial.rebalance.delay.ms=0";
        if (TraceRecordPath is { } trace) yield return $"trace.record.path={trace}";
        foreach (string line in ExtraLines ?? []) yield return line;
    }
}
