using System.Collections.Immutable;
using Reference.Protocol.Primitives;

namespace Reference.Core.Metadata;

/// <summary>
/// Everything the committed metadata log says, as of one offset (Kafka's <c>MetadataImage</c>): finalized
/// features, registered brokers, topics by name and by id with their partitions, configurations, and the
/// next producer id block. Immutable and built on persistent sorted maps, so a new image shares almost all
/// of its structure with the previous one: handing it to the data plane and the group coordinator costs a
/// reference, and every iteration over it is in key order on every node.
/// </summary>
public sealed class MetadataImage
{
    public static readonly MetadataImage Empty = new(
        offset: -1,
        ImmutableSortedDictionary.Create<string, short>(StringComparer.Ordinal),
        ImmutableSortedDictionary<int, BrokerRegistration>.Empty,
        ImmutableSortedDictionary.Create<string, TopicImage>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<Uuid, string>(UuidOrder.Instance),
        ImmutableSortedDictionary<ConfigResource, ImmutableSortedDictionary<string, string>>.Empty,
        nextProducerId: 0);

    internal MetadataImage(
        long offset,
        ImmutableSortedDictionary<string, short> features,
        ImmutableSortedDictionary<int, BrokerRegistration> brokers,
        ImmutableSortedDictionary<string, TopicImage> topics,
        ImmutableSortedDictionary<Uuid, string> topicNamesById,
        ImmutableSortedDictionary<ConfigResource, ImmutableSortedDictionary<string, string>> configs,
        long nextProducerId)
    {
        if (offset < -1) throw new ArgumentOutOfRangeException(nameof(offset), offset, "an image is as of offset -1 (nothing) or later");
        if (topics.Count != topicNamesById.Count) throw new ArgumentException("every topic is indexed by name and by id exactly once");
        Offset = offset;
        Features = features;
        Brokers = brokers;
        Topics = topics;
        TopicNamesById = topicNamesById;
        Configs = configs;
        NextProducerId = nextProducerId;
    }

    /// <summary>The offset of the last metadata log record (or control batch) this image includes; -1 for none.</summary>
    public long Offset { get; }

    /// <summary>Finalized feature levels by name (FeatureLevelRecord); a feature at level 0 is absent.</summary>
    public ImmutableSortedDictionary<string, short> Features { get; }

    public ImmutableSortedDictionary<int, BrokerRegistration> Brokers { get; }

    /// <summary>Topics by name (ordinal order).</summary>
    public ImmutableSortedDictionary<string, TopicImage> Topics { get; }

    public ImmutableSortedDictionary<Uuid, string> TopicNamesById { get; }

    /// <summary>Configuration overrides by resource; a key absent here takes its default.</summary>
    public ImmutableSortedDictionary<ConfigResource, ImmutableSortedDictionary<string, string>> Configs { get; }

    /// <summary>The first id of the next producer id block the controller will hand out (ProducerIdsRecord).</summary>
    public long NextProducerId { get; }

    /// <summary>The finalized <c>metadata.version</c>, or null before the controller bootstrapped the log.</summary>
    public short? MetadataVersionLevel => Features.TryGetValue(MetadataVersion.FeatureName, out short level) ? level : null;

    public TopicImage? Topic(string name) => Topics.TryGetValue(name, out TopicImage? topic) ? topic : null;

    public TopicImage? Topic(Uuid topicId) => TopicNamesById.TryGetValue(topicId, out string? name) ? Topics[name] : null;

    public BrokerRegistration? Broker(int brokerId) => Brokers.TryGetValue(brokerId, out BrokerRegistration? broker) ? broker : null;

    public PartitionRegistration? Partition(TopicPartition partition) => Topic(partition.Topic)?.Partition(partition.Partition);

    /// <summary>The overrides set on a resource; empty when none.</summary>
    public ImmutableSortedDictionary<string, string> ConfigsOf(ConfigResource resource) =>
        Configs.TryGetValue(resource, out ImmutableSortedDictionary<string, string>? entries)
            ? entries
            : ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>Kafka's <c>isActive</c> for a broker id: registered, unfenced and not shutting down.</summary>
    public bool IsActiveBroker(int brokerId) => Broker(brokerId)?.IsActive ?? false;

    /// <summary>The same content, as of a later offset: a control batch or a no-op record moved the log on.</summary>
    public MetadataImage WithOffset(long offset)
    {
        if (offset < Offset) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"an image never moves back from offset {Offset}");
        return offset == Offset ? this : new MetadataImage(offset, Features, Brokers, Topics, TopicNamesById, Configs, NextProducerId);
    }

    /// <summary>
    /// Applies records written as one batch starting at <paramref name="firstOffset"/>. For the controller's own
    /// records, which must replay cleanly: a fault here is a controller bug, so it throws.
    /// </summary>
    public MetadataImage Apply(IReadOnlyList<VersionedRecord> records, long firstOffset)
    {
        var delta = new MetadataDelta(this);
        for (int i = 0; i < records.Count; i++)
        {
            string? fault = delta.Replay(records[i].Record, firstOffset + i);
            if (fault is not null) throw new InvalidOperationException($"the controller wrote a record that does not apply at offset {firstOffset + i}: {fault}");
        }
        return delta.Build();
    }
}
