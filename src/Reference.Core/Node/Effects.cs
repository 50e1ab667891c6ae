using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// The effects of one step, in the order they must be carried out. Components append to it; the node
/// hands the list to its shell at the end of the step.
/// </summary>
public sealed class Effects
{
    private readonly List<NodeEffect> _effects = [];

    public int Count => _effects.Count;

    public void Add(NodeEffect effect) => _effects.Add(effect);

    public void Respond(RequestContext context, IResponseBody body) => _effects.Add(new NodeEffect.Respond(context, body));

    /// <summary>Returns the effects so far and starts an empty list.</summary>
    public IReadOnlyList<NodeEffect> Drain()
    {
        var drained = _effects.ToArray();
        _effects.Clear();
        return drained;
    }
}
