using Reference.Core.Node;

namespace Reference.Core.Raft;

/// <summary>
/// The static voters of the metadata quorum (<c>controller.quorum.voters</c>), in id order. Any two
/// majorities of it share a voter, which is what makes one leader per epoch and a committed entry
/// survive (Raft §5.2, §5.4). Dynamic membership (KIP-853) is not modelled yet.
/// </summary>
internal sealed class VoterSet
{
    private readonly SortedSet<int> _ids;

    public VoterSet(IEnumerable<int> voterIds)
    {
        _ids = new SortedSet<int>(voterIds);
        if (_ids.Count == 0) throw new ArgumentException("a quorum needs at least one voter", nameof(voterIds));
        if (_ids.Min < 0) throw new ArgumentException("voter ids are node ids, never negative", nameof(voterIds));
    }

    public static VoterSet From(NodeConfig config) => new(config.Voters.Select(voter => voter.NodeId));

    /// <summary>The voters in ascending id order.</summary>
    public IReadOnlyCollection<int> Ids => _ids;

    public int Count => _ids.Count;

    /// <summary>The fewest voters that make a majority: more than half.</summary>
    public int MajoritySize => _ids.Count / 2 + 1;

    public bool Contains(int nodeId) => _ids.Contains(nodeId);

    /// <summary>
    /// The largest offset that a majority of voters have reached: the value at the majority's position
    /// when the voters' offsets are sorted from highest to lowest. A voter with no known offset counts as
    /// -1. This is the leader's candidate high watermark (Raft §5.3, etcd's <c>quorum.CommittedIndex</c>).
    /// </summary>
    public long MajorityOffset(Func<int, long> offsetOf)
    {
        Span<long> offsets = _ids.Count <= 16 ? stackalloc long[_ids.Count] : new long[_ids.Count];
        int index = 0;
        foreach (int id in _ids) offsets[index++] = offsetOf(id);
        offsets.Sort();
        // Ascending order: the majority-th highest sits MajoritySize places from the end.
        return offsets[_ids.Count - MajoritySize];
    }
}
