using System.Collections.Immutable;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Metadata;

/// <summary>
/// Applies metadata records, in log order, to an image and builds the next image (Kafka's
/// <c>MetadataDelta</c>). A record that contradicts the state it lands on (a change to a topic that does not
/// exist, a broker epoch that does not match) is a replay fault: it is skipped and reported, as Kafka's
/// <c>MetadataLoader</c> reports faults rather than stopping the broker. Records of features we do not
/// model (ACLs, quotas, SCRAM, delegation tokens, controller registrations, metadata transactions, ZooKeeper
/// migration) are accepted and ignored; our controller never writes them.
/// </summary>
public sealed class MetadataDelta
{
    private readonly ImmutableSortedDictionary<string, short>.Builder _features;
    private readonly ImmutableSortedDictionary<int, BrokerRegistration>.Builder _brokers;
    private readonly ImmutableSortedDictionary<string, TopicImage>.Builder _topics;
    private readonly ImmutableSortedDictionary<Uuid, string>.Builder _topicNamesById;
    private readonly ImmutableSortedDictionary<ConfigResource, ImmutableSortedDictionary<string, string>>.Builder _configs;
    private long _nextProducerId;

    public MetadataDelta(MetadataImage image)
    {
        _features = image.Features.ToBuilder();
        _brokers = image.Brokers.ToBuilder();
        _topics = image.Topics.ToBuilder();
        _topicNamesById = image.TopicNamesById.ToBuilder();
        _configs = image.Configs.ToBuilder();
        _nextProducerId = image.NextProducerId;
        Offset = image.Offset;
    }

    /// <summary>The offset of the last record replayed or skipped over.</summary>
    public long Offset { get; private set; }

    /// <summary>Moves past offsets that hold no metadata records (control batches).</summary>
    public void AdvanceTo(long offset)
    {
        if (offset < Offset) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"the delta is already at offset {Offset}");
        Offset = offset;
    }

    /// <summary>Applies one record written at <paramref name="offset"/>; returns null, or why it was skipped.</summary>
    public string? Replay(IMetadataRecord record, long offset)
    {
        if (offset <= Offset) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"records replay in log order; already at {Offset}");
        Offset = offset;
        return record switch
        {
            RegisterBrokerRecord register => ReplayRegister(register, offset),
            UnregisterBrokerRecord unregister => ReplayUnregister(unregister),
            BrokerRegistrationChangeRecord change => ReplayRegistrationChange(change.BrokerId, change.BrokerEpoch, change.Fenced, change.InControlledShutdown),
            FenceBrokerRecord fence => ReplayRegistrationChange(fence.Id, fence.Epoch, FencingChangeFence, 0),
            UnfenceBrokerRecord unfence => ReplayRegistrationChange(unfence.Id, unfence.Epoch, FencingChangeUnfence, 0),
            TopicRecord topic => ReplayTopic(topic),
            PartitionRecord partition => ReplayPartition(partition),
            PartitionChangeRecord change => ReplayPartitionChange(change),
            RemoveTopicRecord remove => ReplayRemoveTopic(remove),
            ConfigRecord config => ReplayConfig(config),
            FeatureLevelRecord feature => ReplayFeature(feature),
            ProducerIdsRecord producerIds => ReplayProducerIds(producerIds),
            _ => null,
        };
    }

    public MetadataImage Build() => new(
        Offset,
        _features.ToImmutable(),
        _brokers.ToImmutable(),
        _topics.ToImmutable(),
        _topicNamesById.ToImmutable(),
        _configs.ToImmutable(),
        _nextProducerId);

    /// <summary>BrokerRegistrationChangeRecord.Fenced: 1 fences, -1 unfences, 0 leaves it (Kafka's <c>BrokerRegistrationFencingChange</c>).</summary>
    internal const sbyte FencingChangeFence = 1;

    internal const sbyte FencingChangeUnfence = -1;

    /// <summary>BrokerRegistrationChangeRecord.InControlledShutdown: 1 enters it, 0 leaves it as is.</summary>
    internal const sbyte ControlledShutdownChangeEnter = 1;

    private string? ReplayRegister(RegisterBrokerRecord record, long offset)
    {
        _brokers[record.BrokerId] = new BrokerRegistration(
            record.BrokerId,
            record.BrokerEpoch,
            record.IncarnationId,
            [.. record.EndPoints.Select(e => new RegisteredEndpoint(e.Name, e.Host, e.Port, e.SecurityProtocol))],
            [.. record.Features.Select(f => new SupportedFeatureRange(f.Name, f.MinSupportedVersion, f.MaxSupportedVersion))],
            record.Rack,
            record.Fenced,
            record.InControlledShutdown,
            [.. record.LogDirs],
            offset);
        return null;
    }

    private string? ReplayUnregister(UnregisterBrokerRecord record)
    {
        if (!_brokers.TryGetValue(record.BrokerId, out BrokerRegistration? broker)) return $"UnregisterBroker: broker {record.BrokerId} is not registered";
        if (broker.Epoch != record.BrokerEpoch) return $"UnregisterBroker: broker {record.BrokerId} has epoch {broker.Epoch}, not {record.BrokerEpoch}";
        _brokers.Remove(record.BrokerId);
        return null;
    }

    private string? ReplayRegistrationChange(int brokerId, long epoch, sbyte fencing, sbyte controlledShutdown)
    {
        if (!_brokers.TryGetValue(brokerId, out BrokerRegistration? broker)) return $"registration change: broker {brokerId} is not registered";
        if (broker.Epoch != epoch) return $"registration change: broker {brokerId} has epoch {broker.Epoch}, not {epoch}";
        if (fencing is not (FencingChangeFence or FencingChangeUnfence or 0)) return $"registration change: unknown fencing change {fencing}";
        if (controlledShutdown is not (ControlledShutdownChangeEnter or 0)) return $"registration change: unknown controlled shutdown change {controlledShutdown}";
        _brokers[brokerId] = broker with
        {
            Fenced = fencing == 0 ? broker.Fenced : fencing == FencingChangeFence,
            InControlledShutdown = broker.InControlledShutdown || controlledShutdown == ControlledShutdownChangeEnter,
        };
        return null;
    }

    private string? ReplayTopic(TopicRecord record)
    {
        if (_topics.ContainsKey(record.Name)) return $"Topic: a topic named {record.Name} exists";
        if (_topicNamesById.ContainsKey(record.TopicId)) return $"Topic: topic id {record.TopicId} is taken";
        _topics[record.Name] = new TopicImage(record.Name, record.TopicId, ImmutableSortedDictionary<int, PartitionRegistration>.Empty);
        _topicNamesById[record.TopicId] = record.Name;
        return null;
    }

    private string? ReplayPartition(PartitionRecord record)
    {
        if (!_topicNamesById.TryGetValue(record.TopicId, out string? name)) return $"Partition: no topic has id {record.TopicId}";
        if (record.PartitionId < 0) return $"Partition: negative partition id {record.PartitionId}";
        TopicImage topic = _topics[name];
        _topics[name] = topic with { Partitions = topic.Partitions.SetItem(record.PartitionId, PartitionRegistration.FromRecord(record)) };
        return null;
    }

    private string? ReplayPartitionChange(PartitionChangeRecord record)
    {
        if (!_topicNamesById.TryGetValue(record.TopicId, out string? name)) return $"PartitionChange: no topic has id {record.TopicId}";
        TopicImage topic = _topics[name];
        if (!topic.Partitions.TryGetValue(record.PartitionId, out PartitionRegistration? partition))
            return $"PartitionChange: {name} has no partition {record.PartitionId}";
        _topics[name] = topic with { Partitions = topic.Partitions.SetItem(record.PartitionId, partition.Merge(record)) };
        return null;
    }

    /// <summary>Removing a topic also removes its configuration (Kafka's <c>ConfigurationsDelta</c> on RemoveTopicRecord).</summary>
    private string? ReplayRemoveTopic(RemoveTopicRecord record)
    {
        if (!_topicNamesById.TryGetValue(record.TopicId, out string? name)) return $"RemoveTopic: no topic has id {record.TopicId}";
        _topicNamesById.Remove(record.TopicId);
        _topics.Remove(name);
        _configs.Remove(ConfigResource.ForTopic(name));
        return null;
    }

    /// <summary>A null value deletes the key; a resource left without keys disappears.</summary>
    private string? ReplayConfig(ConfigRecord record)
    {
        var resource = new ConfigResource((ConfigResourceType)record.ResourceType, record.ResourceName);
        ImmutableSortedDictionary<string, string> entries = _configs.TryGetValue(resource, out var existing)
            ? existing
            : ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
        entries = record.Value is null ? entries.Remove(record.Name) : entries.SetItem(record.Name, record.Value);
        if (entries.IsEmpty) _configs.Remove(resource);
        else _configs[resource] = entries;
        return null;
    }

    /// <summary>Level 0 means the feature is not finalized (Kafka removes it from the image).</summary>
    private string? ReplayFeature(FeatureLevelRecord record)
    {
        if (record.FeatureLevel < 0) return $"FeatureLevel: negative level {record.FeatureLevel} for {record.Name}";
        if (record.FeatureLevel == 0) _features.Remove(record.Name);
        else _features[record.Name] = record.FeatureLevel;
        return null;
    }

    /// <summary>Producer id blocks only move forward (Kafka's <c>ProducerIdControlManager.replay</c>).</summary>
    private string? ReplayProducerIds(ProducerIdsRecord record)
    {
        if (record.NextProducerId <= _nextProducerId)
            return $"ProducerIds: next producer id {record.NextProducerId} is not above {_nextProducerId}";
        _nextProducerId = record.NextProducerId;
        return null;
    }
}
