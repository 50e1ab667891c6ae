namespace Reference.Spec.Raft;

/// <summary>
/// What a monitor remembers per node, in an array indexed by node id: the Raft monitors look up every node
/// after every event, and a dictionary's hashing and probing were a large part of their cost in the
/// explorer's profile. Node ids are small (the simulator numbers its nodes from 1), so the array stays as
/// long as the largest id plus one; an id past <see cref="NodeIdMax"/> is refused rather than allocated.
/// Walked in id order (<see cref="IdLimit"/>), unlike a dictionary, whose order follows its history.
/// </summary>
internal sealed class NodeTable<T>
{
    /// <summary>The largest node id a table holds: the array grows to it at most.</summary>
    public const int NodeIdMax = 65_535;

    private T[] _values = [];
    private bool[] _present = [];

    /// <summary>Every id held is below this; walk <c>0..IdLimit</c> with <see cref="TryGetValue"/> to see them in id order.</summary>
    public int IdLimit => _present.Length;

    /// <summary>How many nodes the table holds a value for: a monitor with nothing held skips its walk.</summary>
    public int Count { get; private set; }

    public bool TryGetValue(int nodeId, out T value)
    {
        if ((uint)nodeId < (uint)_present.Length && _present[nodeId])
        {
            value = _values[nodeId];
            return true;
        }
        value = default!;
        return false;
    }

    public void Set(int nodeId, T value)
    {
        if ((uint)nodeId >= (uint)_present.Length) Grow(nodeId);
        _values[nodeId] = value;
        if (!_present[nodeId]) Count++;
        _present[nodeId] = true;
    }

    /// <summary>Forgets the node's value; whether there was one.</summary>
    public bool Remove(int nodeId)
    {
        if ((uint)nodeId >= (uint)_present.Length || !_present[nodeId]) return false;
        _values[nodeId] = default!;
        _present[nodeId] = false;
        Count--;
        return true;
    }

    public void Clear()
    {
        if (Count == 0) return;
        Array.Clear(_values);
        Array.Clear(_present);
        Count = 0;
    }

    private void Grow(int nodeId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeId, NodeIdMax);
        int length = Math.Min(NodeIdMax + 1, Math.Max(nodeId + 1, 2 * _present.Length));
        Array.Resize(ref _values, length);
        Array.Resize(ref _present, length);
    }
}
