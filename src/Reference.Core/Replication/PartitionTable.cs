using Reference.Protocol.Primitives;

namespace Reference.Core.Replication;

/// <summary>
/// The partitions this node holds a log of, in <see cref="TopicPartition"/> order, and the topic names
/// behind topic ids (Fetch v13+ names topics by id). The id index is only looked up, never enumerated.
/// </summary>
internal sealed class PartitionTable
{
    private readonly SortedDictionary<TopicPartition, Partition> _partitions = new();
    private readonly Dictionary<Uuid, string> _topicNamesById = new();

    public IEnumerable<Partition> All => _partitions.Values;

    public int Count => _partitions.Count;

    public Partition? Get(TopicPartition partition) => _partitions.GetValueOrDefault(partition);

    public string? TopicName(Uuid topicId) => _topicNamesById.GetValueOrDefault(topicId);

    public void Add(Partition partition)
    {
        _partitions.Add(partition.Name, partition);
        IndexTopicId(partition);
    }

    public void Remove(TopicPartition partition) => _partitions.Remove(partition);

    /// <summary>Rebuilds the id index after assignments changed ids (a topic deleted and created again).</summary>
    public void ReindexTopicIds()
    {
        _topicNamesById.Clear();
        foreach (Partition partition in _partitions.Values) IndexTopicId(partition);
    }

    private void IndexTopicId(Partition partition)
    {
        if (partition.TopicId != Uuid.Zero) _topicNamesById[partition.TopicId] = partition.Name.Topic;
    }
}
