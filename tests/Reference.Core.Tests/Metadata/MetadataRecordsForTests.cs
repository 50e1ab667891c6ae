using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Metadata;

/// <summary>Records as the controller writes them, for tests that build images and logs by hand.</summary>
internal static class MetadataRecordsForTests
{
    /// <summary>A one-node configuration with Kafka's defaults, for tests that resolve configs.</summary>
    public static NodeConfig NodeConfigFor(int nodeId) => new()
    {
        NodeId = nodeId,
        ClusterId = "cluster",
        Voters = [new VoterAddress(nodeId, "localhost", 9093)],
        AdvertisedBrokerEndpoints = [new Endpoint("PLAINTEXT", "localhost", 9092)],
    };

    public static VersionedRecord V(IMetadataRecord record, short version = 0) => new(record, version);

    public static Uuid Id(int n) => new(0x1000 + n, n);

    public static RegisterBrokerRecord Register(int brokerId, long epoch, bool fenced = true) => new()
    {
        BrokerId = brokerId,
        BrokerEpoch = epoch,
        IncarnationId = new Uuid(7, brokerId),
        EndPoints = [new RegisterBrokerRecord.BrokerEndpoint { Name = "PLAINTEXT", Host = "localhost", Port = (ushort)(9090 + brokerId) }],
        Features = [new RegisterBrokerRecord.BrokerFeature { Name = MetadataVersion.FeatureName, MinSupportedVersion = 1, MaxSupportedVersion = 21 }],
        Fenced = fenced,
    };

    public static TopicRecord Topic(string name, Uuid id) => new() { Name = name, TopicId = id };

    public static PartitionRecord Partition(Uuid topicId, int partition, params int[] replicas) => new()
    {
        TopicId = topicId,
        PartitionId = partition,
        Replicas = [.. replicas],
        Isr = [.. replicas],
        Leader = replicas[0],
        LeaderEpoch = 0,
        PartitionEpoch = 0,
        Directories = [.. replicas.Select(_ => Uuid.Zero)],
    };

    public static PartitionChangeRecord Change(Uuid topicId, int partition, int leader = PartitionRegistration.NoLeaderChange, int[]? isr = null) => new()
    {
        TopicId = topicId,
        PartitionId = partition,
        Leader = leader,
        Isr = isr is null ? null : [.. isr],
    };

    public static ConfigRecord TopicConfig(string topic, string key, string? value) => new()
    {
        ResourceType = (sbyte)ConfigResourceType.Topic,
        ResourceName = topic,
        Name = key,
        Value = value,
    };

    /// <summary>One metadata batch as the Raft leader would write it: framed values, null keys, given offsets.</summary>
    public static byte[] Batch(long baseOffset, params VersionedRecord[] records)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = 1 });
        foreach (VersionedRecord record in records) builder.Append(0, key: null, value: MetadataRecordFrame.Encode(record));
        return builder.Build();
    }

    /// <summary>A control batch (a KRaft leader-change record) the loader must step over.</summary>
    public static byte[] ControlBatch(long baseOffset)
    {
        var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = baseOffset, PartitionLeaderEpoch = 1, IsControl = true });
        builder.AppendControl(0, ControlRecordType.LeaderChange, MessageBytes.Encode(new LeaderChangeMessage { LeaderId = 1 }, 0));
        return builder.Build();
    }
}
