using Reference.Core.Groups;
using Reference.Core.Log;
using Reference.Core.Metadata;
using Reference.Core.Replication;
using Reference.Protocol.Records;

namespace Reference.Core.Node;

public sealed partial class Node
{
    private MetadataImage? _imageGivenToPartitions;

    /// <summary>
    /// Applies metadata records once Raft has committed them, in the order every room depends on: the image
    /// first, then the controller (so a later claim starts from it), the broker's registration state, and
    /// finally the partitions and groups this node hosts.
    /// </summary>
    private bool ApplyCommittedMetadata(long now)
    {
        if (_raft.HighWatermark <= _metadata.LastAppliedOffset + 1) return false;
        MetadataLoadResult result = _metadata.LoadCommitted(_raft.HighWatermark);
        if (result.BatchesRead == 0) return false;
        PublishImage(now);
        return true;
    }

    /// <summary>Hands the image, newly applied or loaded from a snapshot, to the rooms that act on it.</summary>
    private void PublishImage(long now)
    {
        _controller?.OnMetadataCommitted(_metadata.Image, now, _effects);
        _lifecycle?.OnMetadataApplied(_metadata.LastAppliedOffset);
        if (_config.IsBroker && CaughtUpWithStartingLog() && RegisteredInImage(_metadata.Image)) HostWhatTheImageAssigns(_metadata.Image, now);
    }

    /// <summary>
    /// A broker acts on the image only once it holds this incarnation's own registration (Kafka's broker installs
    /// its metadata publishers after the controller acknowledges it caught up to its registration record,
    /// BrokerLifecycleManager's initial catch-up). Before that the image still shows what the previous
    /// incarnation led, in leader epochs whose tail this one may have lost to a crash: leading them again would
    /// serve (and make followers truncate to) a log missing acknowledged writes, and a group coordinator would
    /// load offsets from it. The controller takes those leaderships away with the registration (KIP-966's
    /// unclean shutdown, see BrokerRegistrationControl), so from the registration on the image is safe to act on.
    /// </summary>
    private bool RegisteredInImage(MetadataImage image) =>
        _lifecycle is null || image.Broker(_config.NodeId)?.IncarnationId == _lifecycle.IncarnationId;

    /// <summary>
    /// A restarted broker must not act on a partial image: before it has replayed the metadata log it found
    /// on disk, partitions it still hosts would look deleted and their logs would go.
    /// </summary>
    private bool CaughtUpWithStartingLog() => _metadata.LastAppliedOffset + 1 >= _metadataEndAtStart;

    /// <summary>
    /// Hands the partitions the image assigns to the data plane. Like Kafka's ReplicaManager.applyDelta, only
    /// the topics whose image changed are looked at when nothing else that shapes an assignment (topic
    /// configs, brokers) changed: images share unchanged topics, so the cost of a committed change follows
    /// the change, not the size of the cluster's metadata.
    /// </summary>
    private void HostWhatTheImageAssigns(MetadataImage image, long now)
    {
        MetadataImage? previous = _imageGivenToPartitions;
        _imageGivenToPartitions = image;
        bool sameSurroundings = previous is not null && ReferenceEquals(previous.Configs, image.Configs) && ReferenceEquals(previous.Brokers, image.Brokers);
        if (sameSurroundings && ReferenceEquals(previous!.Topics, image.Topics)) return;
        if (sameSurroundings)
        {
            SortedSet<string> changed = ChangedTopics(previous!, image);
            _partitions.ApplyPartitions(AssignmentsOf(image, changed), now, _effects, changed);
        }
        else
        {
            _partitions.ApplyPartitions(AssignmentsOf(image, only: null), now, _effects);
        }
        _groups.OnPartitionsLed(LedOffsetsPartitions(image), now, _effects);
    }

    /// <summary>Topics created, deleted or changed between two images (a changed topic is a new TopicImage object).</summary>
    private static SortedSet<string> ChangedTopics(MetadataImage previous, MetadataImage image)
    {
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        foreach ((string name, TopicImage topic) in image.Topics)
            if (!previous.Topics.TryGetValue(name, out TopicImage? before) || !ReferenceEquals(before, topic)) changed.Add(name);
        foreach (string name in previous.Topics.Keys)
            if (!image.Topics.ContainsKey(name)) changed.Add(name);
        return changed;
    }

    /// <summary>Every partition with this node among its replicas (of the <paramref name="only"/> topics, when given), with its topic's effective log settings.</summary>
    private List<PartitionAssignment> AssignmentsOf(MetadataImage image, IReadOnlySet<string>? only)
    {
        var hosted = new List<PartitionAssignment>();
        IEnumerable<TopicImage> topics = only is null
            ? image.Topics.Values
            : only.Select(name => image.Topics.GetValueOrDefault(name)).OfType<TopicImage>();
        foreach (TopicImage topic in topics)
        {
            TopicLogConfig? config = null;
            foreach (var (index, partition) in topic.Partitions)
            {
                if (!partition.Replicas.Contains(_config.NodeId)) continue;
                config ??= LogConfigOf(TopicConfigView.Effective(image, _config, topic.Name));
                hosted.Add(new PartitionAssignment(new TopicPartition(topic.Name, index), topic.TopicId, partition.Leader,
                    partition.LeaderEpoch, partition.PartitionEpoch, partition.Replicas.ToArray(), partition.Isr.ToArray(), config));
            }
        }
        return hosted;
    }

    private static TopicLogConfig LogConfigOf(EffectiveTopicConfig effective) => new()
    {
        RetentionMs = effective.RetentionMs,
        RetentionBytes = effective.RetentionBytes,
        SegmentBytes = effective.SegmentBytes,
        MinInsyncReplicas = effective.MinInsyncReplicas,
        MaxMessageBytes = effective.MaxMessageBytes,
        MessageTimestampType = effective.MessageTimestampType == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    };

    private List<LedOffsetsPartition> LedOffsetsPartitions(MetadataImage image)
    {
        TopicImage? offsets = image.Topic(TopicNames.ConsumerOffsets);
        if (offsets is null) return [];
        return offsets.Partitions.Where(p => p.Value.Leader == _config.NodeId)
            .Select(p => new LedOffsetsPartition(p.Key, p.Value.LeaderEpoch)).ToList();
    }
}
