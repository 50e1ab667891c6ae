using Reference.Core.Node;
using Reference.Protocol.Primitives;

namespace Reference.Core.Raft;

/// <summary>
/// The static voters of the metadata quorum (<c>controller.quorum.voters</c>), in id order. Any two
/// majorities of it share a voter, which is what makes one leader per epoch and a committed entry
/// survive (Raft §5.2, §5.4). Dynamic membership (KIP-853's AddRaftVoter) is not modelled yet.
/// </summary>
/// <remarks>
/// KIP-853 names a voter by a replica key, (node id, directory id). Where the configuration gives a voter's
/// directory id, a replica with that node id but another directory id is not that voter: it is the same
/// machine on a replaced or re-formatted disk, which has lost the entries it acknowledged and the vote it
/// cast. Raft's proof assumes a voter keeps both (§5.2, §5.4: "updated on stable storage before responding"),
/// so such a replica must neither vote nor count toward a majority; it may follow as an observer. Every
/// comparison of directory ids goes through <see cref="IsVoter(int, Uuid)"/>.
/// </remarks>
internal sealed class VoterSet
{
    // Two parallel arrays in ascending id order, filled once: a voter set is small and never changes, and
    // every input of the node looks voters up, which a scan of an array does without a tree walk.
    private readonly int[] _ids;
    private readonly Uuid?[] _directoryIds;
    private readonly bool _ignoreDirectoryIds;

    /// <param name="voters">Each voter's node id and, when known, its directory id.</param>
    /// <param name="ignoreDirectoryIds">
    /// <see cref="ReintroducedBugs.EmptyDiskVoter"/>: treat every voter as named by its id alone, so a voter
    /// on a wiped disk passes for the one that voted and acknowledged before.
    /// </param>
    public VoterSet(IEnumerable<(int NodeId, Uuid? DirectoryId)> voters, bool ignoreDirectoryIds = false)
    {
        _ignoreDirectoryIds = ignoreDirectoryIds;
        var ids = new List<int>();
        var directoryIds = new List<Uuid?>();
        foreach ((int nodeId, Uuid? directoryId) in voters)
        {
            if (nodeId < 0) throw new ArgumentException("voter ids are node ids, never negative", nameof(voters));
            if (directoryId == Uuid.Zero) throw new ArgumentException($"voter {nodeId}'s directory id is the zero id, which names no directory", nameof(voters));
            if (ids.Contains(nodeId)) throw new ArgumentException($"voter {nodeId} is listed twice", nameof(voters));
            ids.Add(nodeId);
            directoryIds.Add(ignoreDirectoryIds ? null : directoryId);
        }
        if (ids.Count == 0) throw new ArgumentException("a quorum needs at least one voter", nameof(voters));
        _ids = [.. ids];
        _directoryIds = [.. directoryIds];
        Array.Sort(_ids, _directoryIds);
    }

    public VoterSet(IEnumerable<int> voterIds) : this(voterIds.Select(id => (id, (Uuid?)null)))
    {
    }

    /// <summary>The configured voters; the one place <see cref="ReintroducedBugs.EmptyDiskVoter"/> is read.</summary>
    public static VoterSet From(NodeConfig config) =>
        new(config.Voters.Select(voter => (voter.NodeId, voter.DirectoryId)), config.ReintroducedBugs.HasFlag(ReintroducedBugs.EmptyDiskVoter));

    /// <summary>The voters in ascending id order.</summary>
    public IReadOnlyList<int> Ids => _ids;

    public int Count => _ids.Length;

    /// <summary>The fewest voters that make a majority: more than half.</summary>
    public int MajoritySize => _ids.Length / 2 + 1;

    /// <summary>A voter's node id is in the set, whatever disk it runs on (routing, epochs, leader names).</summary>
    public bool Contains(int nodeId) => IndexOf(nodeId) >= 0;

    /// <summary>The directory id the set knows for a voter, or <see cref="Uuid.Zero"/> when it knows none (KIP-853's wire value for none).</summary>
    public Uuid DirectoryIdOf(int nodeId) => IndexOf(nodeId) is int index and >= 0 ? _directoryIds[index] ?? Uuid.Zero : Uuid.Zero;

    /// <summary>
    /// Whether the replica (<paramref name="nodeId"/>, <paramref name="directoryId"/>) is a voter: its id is in
    /// the set and, where the set knows the voter's directory id, the replica's is that one (Kafka's
    /// <c>VoterSet.isVoter(ReplicaKey)</c>). A replica that names no directory (<see cref="Uuid.Zero"/>) does not
    /// match a voter whose directory the set knows.
    /// </summary>
    public bool IsVoter(int nodeId, Uuid directoryId) =>
        IndexOf(nodeId) is int index and >= 0 && (_directoryIds[index] is not { } known || known == directoryId);

    /// <summary>
    /// Whether a request that names this replica's directory as <paramref name="namedDirectoryId"/> means the
    /// storage it runs on, <paramref name="localDirectoryId"/> (KIP-853's VoterDirectoryId in Vote and
    /// BeginQuorumEpoch): a sender that names none (<see cref="Uuid.Zero"/>) cannot be contradicted.
    /// </summary>
    public bool NamesLocalDirectory(Uuid namedDirectoryId, Uuid localDirectoryId) =>
        _ignoreDirectoryIds || namedDirectoryId == Uuid.Zero || namedDirectoryId == localDirectoryId;

    /// <summary>
    /// The largest offset that a majority of voters have reached: the value at the majority's position
    /// when the voters' offsets are sorted from highest to lowest. A voter with no known offset counts as
    /// -1. This is the leader's candidate high watermark (Raft §5.3, etcd's <c>quorum.CommittedIndex</c>).
    /// </summary>
    public long MajorityOffset(Func<int, long> offsetOf)
    {
        Span<long> offsets = Count <= 16 ? stackalloc long[Count] : new long[Count];
        int index = 0;
        foreach (int id in _ids) offsets[index++] = offsetOf(id);
        offsets.Sort();
        // Ascending order: the majority-th highest sits MajoritySize places from the end.
        return offsets[Count - MajoritySize];
    }

    /// <summary>Where <paramref name="nodeId"/> sits in <see cref="Ids"/>; negative when it is no voter.</summary>
    /// <remarks>A scan, which the runtime vectorizes: quicker than a binary search over a handful of voters.</remarks>
    public int IndexOf(int nodeId) => Array.IndexOf(_ids, nodeId);
}
