using BenchmarkDotNet.Attributes;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation;
using Reference.Simulation.Faults;

namespace Reference.Benchmarks;

/// <summary>
/// How many events per second the simulator itself gets through: three toy nodes (not Kafka) that ping
/// each other every 10 ms for 10 s of virtual time, with no faults and with every fault profile. The
/// toy does almost nothing, so the time is the simulator's: the agenda, the network, encoding and decoding
/// each message, the connections. Divide the run's events (printed once per case) by the mean time.
/// </summary>
[MemoryDiagnoser]
public class SimulatorBenchmarks
{
    private const long DurationMs = 10_000;

    [Params("none", "all")]
    public string Faults { get; set; } = "none";

    private sealed class PingToy(NodeConfig config) : INode
    {
        private int _nextCorrelationId = 1;

        public IReadOnlyList<NodeEffect> Handle(NodeInput input) => input switch
        {
            NodeInput.Started or NodeInput.TimeAdvanced =>
            [
                .. config.Voters.Where(v => v.NodeId != config.NodeId)
                    .Select(v => (NodeEffect)new NodeEffect.SendRequest(v.NodeId, _nextCorrelationId++, 0, new ApiVersionsRequest())),
                new NodeEffect.WakeAt(input.NowMs + 10),
            ],
            NodeInput.RequestReceived request => [new NodeEffect.Respond(request.Context, new ApiVersionsResponse())],
            _ => [],
        };
    }

    private static readonly NodeImplementation Toy = new("bench.ping", (config, _, _, _) => new PingToy(config));

    [Benchmark]
    public SimulationResult TenVirtualSecondsOfThreePingingNodes()
    {
        if (!FaultSpec.TryParse(Faults, out FaultSpec spec, out string? error)) throw new InvalidOperationException(error);
        SimulationResult result = new SimulatedCluster(new SimulationOptions { Seed = 1, DurationMs = DurationMs, Faults = spec }, Toy).Run();
        if (!result.Outcome.IsOk) throw new InvalidOperationException(result.Outcome.ToString());
        return result;
    }

    [GlobalSetup]
    public void PrintEvents() =>
        Console.WriteLine($"// {Faults}: {TenVirtualSecondsOfThreePingingNodes().Events} events per run");
}
