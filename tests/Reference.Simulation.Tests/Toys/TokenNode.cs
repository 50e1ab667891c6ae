using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Monitors;

namespace Reference.Simulation.Tests.Toys;

/// <summary>
/// A toy node, not Kafka: a token goes round the voters. The holder keeps it for <see cref="HoldMs"/>, then
/// hands it to the next voter with a request; the receiver takes it and answers. The correct node lets go
/// of the token when it sends it (at most one holder; a lost hand-off loses the token, and node 1 mints a
/// new one only after a long silence... it does not: safety only). With <paramref name="reclaimOnFailure"/>
/// a sender whose hand-off times out takes the token back, although the hand-off may have arrived and only
/// the answer was lost: two holders, which <see cref="SingleTokenHolder"/> catches.
/// </summary>
public sealed class TokenNode(NodeConfig config, bool reclaimOnFailure) : INode
{
    public const long HoldMs = 20;

    public static NodeImplementation Correct { get; } = new("toy.token", (c, _, _, _) => new TokenNode(c, reclaimOnFailure: false));
    public static NodeImplementation ReclaimsOnFailure { get; } = new("toy.token-reclaims", (c, _, _, _) => new TokenNode(c, reclaimOnFailure: true));

    private int _handOffCorrelationId = -1;
    private int _nextCorrelationId = 1;

    public bool HoldsToken { get; private set; }

    public IReadOnlyList<NodeEffect> Handle(NodeInput input)
    {
        var effects = new List<NodeEffect>();
        switch (input)
        {
            case NodeInput.Started started when config.NodeId == 1 && started.NowMs < 1_000:
                Take(started.NowMs, effects);
                break;
            case NodeInput.TimeAdvanced time when HoldsToken:
                HandOff(effects);
                break;
            case NodeInput.RequestReceived request:
                Take(request.NowMs, effects);
                effects.Add(new NodeEffect.Respond(request.Context, new ApiVersionsResponse()));
                break;
            case NodeInput.RequestFailed failed when reclaimOnFailure && failed.CorrelationId == _handOffCorrelationId:
                Take(failed.NowMs, effects);
                break;
        }
        return effects;
    }

    private void Take(long nowMs, List<NodeEffect> effects)
    {
        HoldsToken = true;
        effects.Add(new NodeEffect.WakeAt(nowMs + HoldMs));
    }

    private void HandOff(List<NodeEffect> effects)
    {
        int next = config.Voters[(config.Voters.ToList().FindIndex(v => v.NodeId == config.NodeId) + 1) % config.Voters.Count].NodeId;
        HoldsToken = false;
        _handOffCorrelationId = _nextCorrelationId++;
        effects.Add(new NodeEffect.SendRequest(next, _handOffCorrelationId, 0, new ApiVersionsRequest()));
    }
}

/// <summary>The toy's safety property: at most one node holds the token (mutual exclusion).</summary>
public sealed class SingleTokenHolder : IMonitor
{
    public const string HandOffGoal = "toy.token-handed-off";

    private int _lastHolder;

    public string Name => "SingleTokenHolder";

    public IReadOnlyList<string> SometimesGoals => [HandOffGoal];

    public MonitorViolation? Check(ClusterView view)
    {
        List<int> holders = view.Nodes.Where(n => n.Node is TokenNode { HoldsToken: true }).Select(n => n.NodeId).ToList();
        if (holders.Count == 1 && holders[0] != _lastHolder)
        {
            if (_lastHolder != 0) view.Coverage.Reached(HandOffGoal);
            _lastHolder = holders[0];
        }
        return holders.Count > 1 ? new MonitorViolation($"{string.Join(" and ", holders.Select(h => $"n{h}"))} both hold the token") : null;
    }
}
