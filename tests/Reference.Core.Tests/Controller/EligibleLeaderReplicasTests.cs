using Reference.Core.Controller;
using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Tests.Controller;

/// <summary>
/// KIP-966's eligible leader replicas in the controller (Kafka's <c>PartitionChangeBuilder</c> with ELR and
/// <c>ReplicationControlManager.handleBrokerUncleanShutdown</c>), one rule a test, on topic "t" with replicas
/// 1, 2, 3 in that order and min.insync.replicas 2 unless a test says otherwise. Brokers leave by session
/// expiry, as a crashed broker does.
/// </summary>
public sealed class EligibleLeaderReplicasTests
{
    private readonly ControllerHarness _harness;
    private readonly Dictionary<int, long> _epochs;
    private readonly HashSet<int> _alive;

    public EligibleLeaderReplicasTests() : this(ReintroducedBugs.None) { }

    private EligibleLeaderReplicasTests(ReintroducedBugs bugs, int replicationFactor = 3, string minIsr = "2")
    {
        _harness = new ControllerHarness(ControllerHarness.DefaultConfig() with { ReintroducedBugs = bugs });
        _epochs = _harness.RegisterUnfencedBrokers(1, 2, 3);
        _alive = [1, 2, 3];
        var create = ControllerHarness.CreateTopics(("t", -1, -1));
        create.Topics[0].Assignments = [new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [.. new[] { 1, 2, 3 }.Take(replicationFactor)] }];
        create.Topics[0].Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "min.insync.replicas", Value = minIsr }];
        Assert.Equal((short)ErrorCode.None, _harness.Call<CreateTopicsResponse>(create).Topics[0].ErrorCode);
    }

    private PartitionRegistration Partition => _harness.Committed.Topic("t")!.Partitions[0];

    private (int Leader, string Isr, string Elr, string LastKnownElr) State =>
        (Partition.Leader, Ids(Partition.Isr), Ids(Partition.EligibleLeaderReplicas), Ids(Partition.LastKnownElr));

    private static string Ids(IEnumerable<int> ids) => string.Join(",", ids);

    /// <summary>The brokers in <paramref name="dying"/> stop heartbeating; the others keep their sessions until the dying ones are fenced.</summary>
    private void Expire(params int[] dying)
    {
        _alive.ExceptWith(dying);
        long session = _harness.Config.BrokerSessionTimeoutMs;
        for (int half = 0; half < 3; half++)
        {
            _harness.NowMs += session / 2;
            foreach (int id in _alive.Order())
                _harness.Call<BrokerHeartbeatResponse>(ControllerHarness.Heartbeat(id, _epochs[id], _harness.Committed.Offset));
            _harness.Tick(_harness.NowMs);
            _harness.CommitAll();
        }
        Assert.All(dying, id => Assert.True(_harness.Committed.Broker(id)!.Fenced, $"broker {id} is fenced"));
    }

    /// <summary>A fenced broker heartbeats again with the epoch it has and is unfenced.</summary>
    private void Return(int id)
    {
        Assert.False(_harness.Call<BrokerHeartbeatResponse>(ControllerHarness.Heartbeat(id, _epochs[id], _harness.Committed.Offset)).IsFenced);
        _alive.Add(id);
    }

    /// <summary>A new incarnation registers without naming a clean shutdown (a crash), then is unfenced.</summary>
    private void RestartUncleanly(int id, bool unfence = true)
    {
        var registered = _harness.Call<BrokerRegistrationResponse>(ControllerHarness.Registration(id, incarnation: new Uuid(7, id)));
        Assert.Equal((short)ErrorCode.None, registered.ErrorCode);
        _epochs[id] = registered.BrokerEpoch;
        if (unfence) Return(id);
    }

    [Fact]
    public void TheElrStaysEmptyWhileTheIsrHoldsMinIsr()
    {
        Expire(3);

        Assert.Equal((1, "1,2", "", ""), State);
    }

    [Fact]
    public void AMemberLeavingAnIsrBelowMinIsrJoinsTheElr()
    {
        Expire(3);
        Expire(2);

        Assert.Equal((1, "1", "2", ""), State);
    }

    [Fact]
    public void TheIsrMayBecomeEmptyAndItsLastLeaderIsRemembered()
    {
        Expire(3);
        Expire(2);
        Expire(1);

        Assert.Equal((PartitionRegistration.NoLeader, "", "1,2", "1"), State);
    }

    [Fact]
    public void WithTheIsrEmptyAnElrMemberIsElectedAndBecomesTheIsr()
    {
        Expire(3);
        Expire(2);
        Expire(1);

        Return(2);

        Assert.Equal((2, "2", "1", ""), State);
        Assert.Equal(2, Partition.LeaderEpoch);
    }

    [Fact]
    public void AReplicaOutsideTheIsrAndElrIsNotElected()
    {
        Expire(3);
        Expire(2);
        Expire(1);

        Return(3); // left while the ISR still held min ISR: it may lack what was committed since

        Assert.Equal((PartitionRegistration.NoLeader, "", "1,2", "1"), State);
    }

    [Fact]
    public void AnUncleanShutdownTakesTheBrokerOutOfTheIsrAndTheElr()
    {
        Expire(3);
        Expire(2);
        Assert.Equal((1, "1", "2", ""), State);

        RestartUncleanly(2, unfence: false);
        Assert.Equal((1, "1", "", ""), State);

        Expire(1);
        RestartUncleanly(1, unfence: false);
        Assert.Equal((PartitionRegistration.NoLeader, "", "", "1"), State);
    }

    /// <summary>
    /// The "last replica standing" of KIP-966: 2 holds everything below the HW and is in the ELR; 1, the last
    /// ISR member, restarts uncleanly. 1 is not elected; 2 is, once it is back.
    /// </summary>
    [Fact]
    public void TheLastIsrMemberRestartedUncleanlyIsNotElectedWhileAnElrMemberWaits()
    {
        Expire(3);
        Expire(2);
        Expire(1);

        RestartUncleanly(1);
        Assert.Equal((PartitionRegistration.NoLeader, "", "2", "1"), State);

        Return(2);
        Assert.Equal((2, "2", "", ""), State);
    }

    [Fact]
    public void WithTheIsrAndElrEmptyTheLastKnownLeaderIsElectedUncleanly()
    {
        var single = new EligibleLeaderReplicasTests(ReintroducedBugs.None, replicationFactor: 1, minIsr: "1");
        single.Expire(1);
        Assert.Equal((PartitionRegistration.NoLeader, "", "1", "1"), single.State);

        single.RestartUncleanly(1);

        Assert.Equal((1, "1", "", ""), single.State);
    }

    [Fact]
    public void AnIsrShrinkBelowMinIsrByAlterPartitionFillsTheElrAndAnExpansionBackEmptiesIt()
    {
        Assert.Equal(ErrorCode.None, Alter([1]));
        Assert.Equal((1, "1", "2,3", ""), State);

        Assert.Equal(ErrorCode.None, Alter([1, 3]));
        Assert.Equal((1, "1,3", "", ""), State);
    }

    private ErrorCode Alter(int[] newIsr)
    {
        PartitionRegistration partition = Partition;
        var request = new AlterPartitionRequest
        {
            BrokerId = partition.Leader,
            BrokerEpoch = _epochs[partition.Leader],
            Topics =
            [
                new AlterPartitionRequest.TopicData
                {
                    TopicId = _harness.Committed.Topic("t")!.TopicId,
                    Partitions =
                    [
                        new AlterPartitionRequest.PartitionData
                        {
                            PartitionIndex = 0,
                            LeaderEpoch = partition.LeaderEpoch,
                            PartitionEpoch = partition.PartitionEpoch,
                            NewIsrWithEpochs = [.. newIsr.Select(id => new AlterPartitionRequest.BrokerState { BrokerId = id, BrokerEpoch = _epochs[id] })],
                        },
                    ],
                },
            ],
        };
        var answer = _harness.Call<AlterPartitionResponse>(request);
        return (ErrorCode)(answer.ErrorCode != 0 ? answer.ErrorCode : answer.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public void ChangesCarryingElrFieldsAreWrittenAsVersionTwoAndOthersAsKafka39WritesThem()
    {
        Expire(3);
        Expire(2);

        var changes = _harness.Log.Batches.SelectMany(b => b.Records).Where(r => r.Record is PartitionChangeRecord).ToList();
        Assert.Equal(2, changes.Count);
        Assert.Equal(MetadataVersion.PartitionChangeRecordVersion, changes[0].Version);
        Assert.Null(((PartitionChangeRecord)changes[0].Record).EligibleLeaderReplicas);
        Assert.Equal(MetadataVersion.ElrRecordVersion, changes[1].Version);
        Assert.Equal([2], ((PartitionChangeRecord)changes[1].Record).EligibleLeaderReplicas!);
    }

    [Fact]
    public void TheElrSurvivesASnapshotOfTheImage()
    {
        Expire(3);
        Expire(2);
        Expire(1);
        MetadataImage image = _harness.Committed;

        var id = new OffsetAndEpoch(image.Offset + 1, 1);

        MetadataSnapshotLoad load = MetadataSnapshot.Read(MetadataSnapshot.Write(image, id, lastContainedTimestampMs: 0), id);

        Assert.True(load.IsValid, load.Error);
        PartitionRegistration partition = load.Image!.Topic("t")!.Partitions[0];
        Assert.Equal(("1,2", "1"), (Ids(partition.EligibleLeaderReplicas), Ids(partition.LastKnownElr)));
    }

    /// <summary>
    /// The museum's <see cref="ReintroducedBugs.LastReplicaStanding"/> (Kafka 3.9): the ISR never empties, so
    /// the last member, restarted uncleanly, leads again, and 2, which held more, must follow it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnlyTheLastReplicaStandingSwitchReElectsTheLastIsrMemberAfterAnUncleanRestart(bool bug)
    {
        var test = new EligibleLeaderReplicasTests(bug ? ReintroducedBugs.LastReplicaStanding : ReintroducedBugs.None);
        test.Expire(3);
        test.Expire(2);
        test.Expire(1);
        Assert.Equal(bug ? (PartitionRegistration.NoLeader, "1", "", "") : (PartitionRegistration.NoLeader, "", "1,2", "1"), test.State);

        test.RestartUncleanly(1);
        test.Return(2);

        Assert.Equal(bug ? (1, "1", "", "") : (2, "2", "", ""), test.State);
    }

    [Theory]
    [InlineData(ConfigResourceType.Topic, "t")]
    [InlineData(ConfigResourceType.Broker, "")]
    public void ChangingMinInsyncReplicasCleansTheElr(ConfigResourceType type, string name)
    {
        Expire(3);
        Expire(2);
        Assert.Equal((1, "1", "2", ""), State);

        var alter = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)type,
                    ResourceName = name,
                    Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "min.insync.replicas", ConfigOperation = 0, Value = "3" }],
                },
            ],
        };
        Assert.Equal((short)ErrorCode.None, _harness.Call<IncrementalAlterConfigsResponse>(alter).Responses.Single().ErrorCode);

        Assert.Equal((1, "1", "", ""), State);
    }

    private IncrementalAlterConfigsResponse.AlterConfigsResourceResponse AlterMinIsr(ConfigResourceType type, string name, sbyte op, string? value, bool validateOnly = false)
    {
        var alter = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)type,
                    ResourceName = name,
                    Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "min.insync.replicas", ConfigOperation = op, Value = value }],
                },
            ],
            ValidateOnly = validateOnly,
        };
        return _harness.Call<IncrementalAlterConfigsResponse>(alter).Responses.Single();
    }

    /// <summary>
    /// KIP-966: the controller's view of min ISR may come from the topic or the cluster-wide default, never from
    /// one broker's own value, so a broker-level min.insync.replicas is refused (Kafka 4's INVALID_CONFIG and
    /// message), whether set, deleted or only validated, and nothing is written.
    /// </summary>
    [Theory]
    [InlineData(ConfigAlteration.OpSet, "3", false)]
    [InlineData(ConfigAlteration.OpSet, "3", true)]
    [InlineData(ConfigAlteration.OpDelete, null, false)]
    public void ABrokerLevelMinInsyncReplicasIsRefused(sbyte op, string? value, bool validateOnly)
    {
        long before = _harness.Committed.Offset;

        var answer = AlterMinIsr(ConfigResourceType.Broker, "1", op, value, validateOnly);

        Assert.Equal((ErrorCode.InvalidConfig, "Broker-level min.insync.replicas cannot be altered while ELR is enabled."), ((ErrorCode)answer.ErrorCode, answer.ErrorMessage));
        Assert.Empty(_harness.Committed.ConfigsOf(ConfigResource.ForBroker(1)));
        Assert.Equal(before, _harness.Committed.Offset);
    }

    /// <summary>APPEND to an integer key is refused for its type before the ELR rule is reached, as in Kafka.</summary>
    [Fact]
    public void AppendingToABrokerLevelMinInsyncReplicasIsRefusedForItsType()
    {
        var answer = AlterMinIsr(ConfigResourceType.Broker, "1", ConfigAlteration.OpAppend, "3");

        Assert.Equal((ErrorCode.InvalidConfig, "Can't APPEND to key min.insync.replicas because its type is not LIST."), ((ErrorCode)answer.ErrorCode, answer.ErrorMessage));
    }

    [Fact]
    public void TheClusterWideAndTopicMinInsyncReplicasAreAcceptedAndAnotherBrokerKeyIsNot()
    {
        Assert.Equal((short)ErrorCode.None, AlterMinIsr(ConfigResourceType.Broker, "", ConfigAlteration.OpSet, "2").ErrorCode);
        Assert.Equal((short)ErrorCode.None, AlterMinIsr(ConfigResourceType.Topic, "t", ConfigAlteration.OpSet, "3").ErrorCode);
        Assert.Equal((short)ErrorCode.None, AlterMinIsr(ConfigResourceType.Topic, "t", ConfigAlteration.OpDelete, null).ErrorCode);

        Assert.Equal("2", _harness.Committed.ConfigsOf(ConfigResource.ClusterDefaultBroker)["min.insync.replicas"]);
        Assert.Empty(_harness.Committed.ConfigsOf(ConfigResource.ForTopic("t")));
        Assert.Equal(2, TopicConfigView.Effective(_harness.Committed, _harness.Config, "t").MinInsyncReplicas);
        // Only min.insync.replicas is held back at the broker level: other broker keys still take per-broker values.
        var retention = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)ConfigResourceType.Broker,
                    ResourceName = "1",
                    Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "log.retention.ms", Value = "5000" }],
                },
            ],
        };
        Assert.Equal((short)ErrorCode.None, _harness.Call<IncrementalAlterConfigsResponse>(retention).Responses.Single().ErrorCode);
    }

    /// <summary>
    /// Kafka 4 refuses removing the cluster-wide min.insync.replicas while ELR is on (min ISR would fall back to
    /// each node's static configuration), by DELETE or by the legacy AlterConfigs leaving it out of the new set.
    /// </summary>
    [Fact]
    public void TheClusterWideMinInsyncReplicasCannotBeRemoved()
    {
        Assert.Equal((short)ErrorCode.None, AlterMinIsr(ConfigResourceType.Broker, "", ConfigAlteration.OpSet, "2").ErrorCode);

        var deleted = AlterMinIsr(ConfigResourceType.Broker, "", ConfigAlteration.OpDelete, null);
        var replaced = _harness.Call<AlterConfigsResponse>(new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)ConfigResourceType.Broker,
                    ResourceName = "",
                    Configs = [new AlterConfigsRequest.AlterableConfig { Name = "log.retention.ms", Value = "5000" }],
                },
            ],
        }).Responses.Single();

        const string Refusal = "Cluster-level min.insync.replicas cannot be removed while ELR is enabled.";
        Assert.Equal((ErrorCode.InvalidConfig, Refusal), ((ErrorCode)deleted.ErrorCode, deleted.ErrorMessage));
        Assert.Equal((ErrorCode.InvalidConfig, Refusal), ((ErrorCode)replaced.ErrorCode, replaced.ErrorMessage));
        Assert.Equal(["min.insync.replicas"], _harness.Committed.ConfigsOf(ConfigResource.ClusterDefaultBroker).Keys);
    }
}
