using System.Runtime.InteropServices;

namespace Reference.Simulation.Cluster;

/// <summary>
/// A node's wake-up times asked for and not yet delivered, ascending and distinct. A sorted list, not a
/// <see cref="SortedSet{T}"/>: it holds a handful of times, and the explorer asks whether a pending wake-up
/// is still wanted for every one of them at every step, where a tree walk (and a tree node per time added)
/// cost more than a binary search over a few longs. Bounded by its owner (<see cref="SimulatedNode.WakeTimesMax"/>).
/// </summary>
internal sealed class WakeTimes
{
    private readonly List<long> _ascending = [];

    public int Count => _ascending.Count;

    /// <summary>Adds a time; false when it is already there.</summary>
    public bool Add(long atMs)
    {
        int index = IndexOf(atMs);
        if (index >= 0) return false;
        _ascending.Insert(~index, atMs);
        return true;
    }

    public bool Contains(long atMs) => IndexOf(atMs) >= 0;

    /// <summary>Forgets every time at or before <paramref name="atMs"/> (one delivery satisfies them all); returns how many went.</summary>
    public int RemoveUpTo(long atMs)
    {
        int index = IndexOf(atMs);
        int count = index >= 0 ? index + 1 : ~index;
        _ascending.RemoveRange(0, count);
        return count;
    }

    public void Clear() => _ascending.Clear();

    /// <summary>The time's index, or the complement of where it would go: a span's search, whose comparison inlines (the list's goes through a comparer).</summary>
    private int IndexOf(long atMs) => CollectionsMarshal.AsSpan(_ascending).BinarySearch(atMs);
}
