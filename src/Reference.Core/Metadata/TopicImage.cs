using System.Collections.Immutable;
using Reference.Protocol.Primitives;

namespace Reference.Core.Metadata;

/// <summary>A topic as the committed metadata knows it: its name, its id and its partitions by index.</summary>
public sealed record TopicImage(string Name, Uuid TopicId, ImmutableSortedDictionary<int, PartitionRegistration> Partitions)
{
    /// <summary>Kafka's internal topics (<c>Topic.isInternal</c>): Metadata answers flag them, and tools hide them.</summary>
    public bool IsInternal => TopicNames.IsInternal(Name);

    public PartitionRegistration? Partition(int index) => Partitions.TryGetValue(index, out PartitionRegistration? partition) ? partition : null;
}
