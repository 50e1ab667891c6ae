using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Tests.Toys;

/// <summary>
/// A toy node, not Kafka: every <see cref="IntervalMs"/> it sends ApiVersions to each peer and answers the
/// peers' pings. It counts what it sent, what came back and how requests failed, so tests can measure the
/// network (loss, partitions, timeouts) through what a node experiences.
/// </summary>
public sealed class PingNode(NodeConfig config) : INode
{
    public const long IntervalMs = 100;

    /// <summary>Which node each ping went to, by correlation id: the answer must come from the same one.</summary>
    private readonly SortedDictionary<int, int> _pending = new();
    private int _nextCorrelationId = 1;

    public SortedDictionary<int, int> Sent { get; } = new();
    public SortedDictionary<int, int> Answered { get; } = new();
    public SortedDictionary<string, int> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>Pings received, by the sending host ("n2").</summary>
    public SortedDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);

    public static NodeImplementation Implementation { get; } = new("toy.ping", (config, _, _, _) => new PingNode(config));

    public IReadOnlyList<NodeEffect> Handle(NodeInput input)
    {
        var effects = new List<NodeEffect>();
        switch (input)
        {
            case NodeInput.Started or NodeInput.TimeAdvanced:
                foreach (VoterAddress peer in config.Voters.Where(v => v.NodeId != config.NodeId))
                {
                    int correlationId = _nextCorrelationId++;
                    _pending[correlationId] = peer.NodeId;
                    Sent[peer.NodeId] = Sent.GetValueOrDefault(peer.NodeId) + 1;
                    effects.Add(new NodeEffect.SendRequest(peer.NodeId, correlationId, 0, new ApiVersionsRequest()));
                }
                effects.Add(new NodeEffect.WakeAt(input.NowMs + IntervalMs));
                break;
            case NodeInput.RequestReceived request:
                Received[request.Context.ClientHost] = Received.GetValueOrDefault(request.Context.ClientHost) + 1;
                effects.Add(new NodeEffect.Respond(request.Context, new ApiVersionsResponse()));
                break;
            case NodeInput.ResponseReceived response:
                if (!_pending.Remove(response.CorrelationId, out int to) || to != response.FromNodeId)
                    throw new InvalidOperationException($"an answer from n{response.FromNodeId} to a ping that went elsewhere or was answered");
                Answered[to] = Answered.GetValueOrDefault(to) + 1;
                break;
            case NodeInput.RequestFailed failed:
                if (!_pending.Remove(failed.CorrelationId)) throw new InvalidOperationException("a failure for a ping not outstanding");
                Failures[failed.Reason] = Failures.GetValueOrDefault(failed.Reason) + 1;
                break;
        }
        return effects;
    }
}
