using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// The effects of one step, in the order they must be carried out. Components append to it; the node
/// hands the list to its shell at the end of the step. The node may watch each effect as it is added
/// (to let the step read its own writes) and keep one from the shell (an answer to a request the node
/// sent itself, which it delivers in process).
/// </summary>
public sealed class Effects
{
    private readonly List<NodeEffect> _effects = [];
    private readonly Func<NodeEffect, bool>? _keepForShell;

    public Effects()
    {
    }

    /// <param name="keepForShell">Sees every effect as it is added; false keeps it from the shell.</param>
    public Effects(Func<NodeEffect, bool> keepForShell)
    {
        _keepForShell = keepForShell;
    }

    public int Count => _effects.Count;

    public void Add(NodeEffect effect)
    {
        if (_keepForShell is null || _keepForShell(effect)) _effects.Add(effect);
    }

    public void Respond(RequestContext context, IResponseBody body) => Add(new NodeEffect.Respond(context, body));

    /// <summary>Returns the effects so far and starts an empty list.</summary>
    public IReadOnlyList<NodeEffect> Drain()
    {
        var drained = _effects.ToArray();
        _effects.Clear();
        return drained;
    }
}
