using Reference.Protocol;

namespace Reference.Core.Groups;

/// <summary>
/// The <c>__consumer_offsets</c> partitions this node leads, with their leader epochs, and the groups they
/// hold. A group is served only while its partition is led here; otherwise the answer is NOT_COORDINATOR and
/// the client asks FindCoordinator again. Both maps are sorted, so sweeps over them run in a fixed order.
/// </summary>
internal sealed class GroupCatalog(GroupCoordinatorConfig config)
{
    private readonly SortedDictionary<int, int> _leaderEpochByPartition = new();
    private readonly SortedDictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<int, int> LedPartitions => _leaderEpochByPartition;

    public int Count => _groups.Count;

    /// <summary>In group id order.</summary>
    public IEnumerable<ClassicGroup> All => _groups.Values;

    /// <summary>At <see cref="GroupCoordinatorConfig.GroupsMax"/>: no group may be created until one goes.</summary>
    public bool IsFull => _groups.Count >= config.GroupsMax;

    public int PartitionFor(string groupId) => OffsetsTopic.PartitionFor(groupId, config.OffsetsTopicNumPartitions);

    /// <summary>
    /// Kafka's <c>validateGroupStatus</c>: an empty group id is invalid except where Kafka keeps it for
    /// compatibility (offset commit and fetch, describe, delete); a group whose partition is not led here
    /// belongs to another coordinator. Loading is synchronous, so COORDINATOR_LOAD_IN_PROGRESS never arises.
    /// </summary>
    public ErrorCode Status(string groupId, bool emptyGroupIdAllowed)
    {
        if (groupId.Length == 0 && !emptyGroupIdAllowed) return ErrorCode.InvalidGroupId;
        return _leaderEpochByPartition.ContainsKey(PartitionFor(groupId)) ? ErrorCode.None : ErrorCode.NotCoordinator;
    }

    public ClassicGroup? Find(string groupId) => _groups.GetValueOrDefault(groupId);

    public ClassicGroup Create(string groupId, long nowMs)
    {
        GroupInvariant.Check(!IsFull, "a group is created only below the groups bound");
        var group = new ClassicGroup(groupId, PartitionFor(groupId), GroupState.Empty, nowMs);
        Add(group);
        return group;
    }

    /// <summary>Adds a created or loaded group; loading may exceed the bound, since the log is the truth.</summary>
    public void Add(ClassicGroup group)
    {
        GroupInvariant.Check(_leaderEpochByPartition.ContainsKey(group.Partition), $"group {group.GroupId} is added only while its partition is led");
        GroupInvariant.Check(_groups.TryAdd(group.GroupId, group), $"group {group.GroupId} is held once");
    }

    public void Remove(ClassicGroup group)
    {
        GroupInvariant.Check(_groups.GetValueOrDefault(group.GroupId) == group, $"only a held group ({group.GroupId}) is removed");
        _groups.Remove(group.GroupId);
    }

    public int? LeaderEpochOf(int partition) => _leaderEpochByPartition.TryGetValue(partition, out int epoch) ? epoch : null;

    public void Lead(int partition, int leaderEpoch)
    {
        GroupInvariant.Check(partition >= 0 && partition < config.OffsetsTopicNumPartitions, $"partition {partition} of {OffsetsTopic.Name} exists");
        GroupInvariant.Check(!_leaderEpochByPartition.ContainsKey(partition), $"partition {partition} is led once");
        _leaderEpochByPartition.Add(partition, leaderEpoch);
    }

    /// <summary>Stops leading the partition; returns its groups, removed, in group id order.</summary>
    public IReadOnlyList<ClassicGroup> StopLeading(int partition)
    {
        GroupInvariant.Check(_leaderEpochByPartition.Remove(partition), $"only a led partition ({partition}) is given up");
        List<ClassicGroup> dropped = _groups.Values.Where(group => group.Partition == partition).ToList();
        foreach (ClassicGroup group in dropped) _groups.Remove(group.GroupId);
        return dropped;
    }
}
