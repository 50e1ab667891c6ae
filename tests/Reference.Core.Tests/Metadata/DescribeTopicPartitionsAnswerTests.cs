using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

/// <summary>
/// DescribeTopicPartitions (API 75) answered from an image, against Kafka's <c>DescribeTopicPartitionsRequestHandler</c>:
/// topic "a" has three partitions (0 with ELR 2, 1 with no leader and last known ELR 3), "b" two, "c" one, and
/// "__consumer_offsets" one; broker 3 is fenced.
/// </summary>
public sealed class DescribeTopicPartitionsAnswerTests
{
    private static readonly MetadataImage Image = MetadataImage.Empty.Apply(
    [
        V(Register(1, 10, fenced: false)),
        V(Register(2, 11, fenced: false)),
        V(Register(3, 12, fenced: true)),
        V(Topic("a", Id(1))),
        V(Partition(Id(1), 0, 1, 2, 3)),
        V(Partition(Id(1), 1, 2, 3, 1)),
        V(Partition(Id(1), 2, 3, 1, 2)),
        V(new PartitionChangeRecord { TopicId = Id(1), PartitionId = 0, Isr = [1], EligibleLeaderReplicas = [2], LastKnownElr = [] }, MetadataVersion.ElrRecordVersion),
        V(new PartitionChangeRecord { TopicId = Id(1), PartitionId = 1, Leader = -1, Isr = [], EligibleLeaderReplicas = [], LastKnownElr = [3] }, MetadataVersion.ElrRecordVersion),
        V(Topic("b", Id(2))),
        V(Partition(Id(2), 0, 2, 1)),
        V(Partition(Id(2), 1, 1, 2)),
        V(Topic("c", Id(3))),
        V(Partition(Id(3), 0, 1)),
        V(Topic("__consumer_offsets", Id(4))),
        V(Partition(Id(4), 0, 1)),
    ], 0);

    private static DescribeTopicPartitionsResponse Answer(string[] topics, int limit = 2000, (string Topic, int Partition)? cursor = null) =>
        DescribeTopicPartitionsAnswer.Answer(new DescribeTopicPartitionsRequest
        {
            Topics = topics.Select(name => new DescribeTopicPartitionsRequest.TopicRequest { Name = name }).ToList(),
            ResponsePartitionLimit = limit,
            Cursor = cursor is var (topic, partition) ? new DescribeTopicPartitionsRequest.CursorData { TopicName = topic, PartitionIndex = partition } : null,
        }, Image);

    /// <summary>One page as text: each topic with its partitions, then where the next page starts.</summary>
    private static string Page(DescribeTopicPartitionsResponse response) =>
        string.Join(" ", response.Topics.Select(t => $"{t.Name}:{string.Join(",", t.Partitions.Select(p => p.PartitionIndex))}"))
        + (response.NextCursor is { } next ? $" -> {next.TopicName}-{next.PartitionIndex}" : "");

    [Fact]
    public void NoTopicsNamedDescribesEveryTopicInNameOrderWithItsEligibleLeaderReplicas()
    {
        DescribeTopicPartitionsResponse response = Answer([]);

        Assert.Equal("__consumer_offsets:0 a:0,1,2 b:0,1 c:0", Page(response));
        Assert.Equal([true, false, false, false], response.Topics.Select(t => t.IsInternal));
        Assert.Equal([Id(4), Id(1), Id(2), Id(3)], response.Topics.Select(t => t.TopicId));
        Assert.All(response.Topics, t => Assert.Equal((short)ErrorCode.None, t.ErrorCode));
        // Kafka's value for a topic without an authorizer: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS.
        Assert.All(response.Topics, t => Assert.Equal(3576, t.TopicAuthorizedOperations));
        var a = response.Topics[1].Partitions;
        Assert.Equal(
            ["0 leader 1 isr 1 elr 2 lastKnownElr  offline 3", "1 leader -1 isr  elr  lastKnownElr 3 offline 3", "2 leader 3 isr 3,1,2 elr  lastKnownElr  offline 3"],
            a.Select(p => $"{p.PartitionIndex} leader {p.LeaderId} isr {string.Join(",", p.IsrNodes)} elr {string.Join(",", p.EligibleLeaderReplicas!)} lastKnownElr {string.Join(",", p.LastKnownElr!)} offline {string.Join(",", p.OfflineReplicas)}"));
        Assert.Equal([1, 2, 3], a[0].ReplicaNodes);
        Assert.All(a, p => Assert.Equal((short)ErrorCode.None, p.ErrorCode));
    }

    [Fact]
    public void APageHoldsAtMostTheLimitAndTheCursorNamesTheFirstPartitionLeftOut()
    {
        string[] named = ["c", "a", "b", "a"];
        DescribeTopicPartitionsResponse first = Answer(named, limit: 2);
        DescribeTopicPartitionsResponse second = Answer(named, limit: 2, cursor: ("a", 2));
        DescribeTopicPartitionsResponse third = Answer(named, limit: 2, cursor: ("b", 1));

        Assert.Equal("a:0,1 -> a-2", Page(first));
        Assert.Equal("a:2 b:0 -> b-1", Page(second));
        Assert.Equal("b:1 c:0", Page(third));
    }

    [Fact]
    public void APageFilledAtATopicsEndPointsAtTheNextTopicsFirstPartition()
    {
        Assert.Equal("a:0,1,2 -> b-0", Page(Answer(["a", "b"], limit: 3)));
        Assert.Equal("a:0,1,2 b:0,1", Page(Answer(["a", "b"], limit: 5)));
        // A limit below one is taken as one, as Kafka does; a cursor past a topic's end describes none of its partitions.
        Assert.Equal("a:0 -> a-1", Page(Answer(["a"], limit: 0)));
        Assert.Equal("a: b:0 -> b-1", Page(Answer(["a", "b"], limit: 1, cursor: ("a", 9))));
    }

    [Fact]
    public void NoPageHoldsMoreThanTwoThousandPartitions()
    {
        var records = new List<VersionedRecord> { V(Register(1, 10, fenced: false)), V(Topic("big", Id(9))) };
        records.AddRange(Enumerable.Range(0, DescribeTopicPartitionsAnswer.ResponsePartitionLimitMax + 5).Select(i => V(Partition(Id(9), i, 1))));
        MetadataImage big = MetadataImage.Empty.Apply(records, 0);

        var response = DescribeTopicPartitionsAnswer.Answer(new DescribeTopicPartitionsRequest { ResponsePartitionLimit = int.MaxValue }, big);

        Assert.Equal(2000, response.Topics.Single().Partitions.Count);
        Assert.Equal(("big", 2000), (response.NextCursor!.TopicName, response.NextCursor.PartitionIndex));
    }

    [Fact]
    public void ANamedTopicThatDoesNotExistIsAnsweredInItsPlaceWithItsError()
    {
        DescribeTopicPartitionsResponse response = Answer(["ghost", "b", "bad name!", "__transaction_state"]);

        Assert.Equal(
            ["__transaction_state UnknownTopicOrPartition internal", "b None", "bad name! InvalidTopicException", "ghost UnknownTopicOrPartition"],
            response.Topics.Select(t => $"{t.Name} {(ErrorCode)t.ErrorCode}{(t.IsInternal ? " internal" : "")}"));
        Assert.All(response.Topics.Where(t => t.Name != "b"), t => Assert.Equal((Uuid.Zero, 0), (t.TopicId, t.Partitions.Count)));
    }

    [Fact]
    public void ACursorOutsideTheTopicsOrWithANegativePartitionRefusesTheWholeRequest()
    {
        DescribeTopicPartitionsResponse notNamed = Answer(["a", "b"], cursor: ("c", 0));
        DescribeTopicPartitionsResponse negative = Answer(["a", "b"], cursor: ("a", -1));
        DescribeTopicPartitionsResponse unknownInAll = Answer([], cursor: ("ghost", 0));

        foreach (DescribeTopicPartitionsResponse refused in new[] { notNamed, negative })
        {
            Assert.Equal(["a InvalidRequest", "b InvalidRequest"], refused.Topics.Select(t => $"{t.Name} {(ErrorCode)t.ErrorCode}"));
            Assert.All(refused.Topics, t => Assert.Empty(t.Partitions));
            Assert.Null(refused.NextCursor);
        }
        Assert.Empty(unknownInAll.Topics);
        // A cursor on a named topic that does not exist is allowed: the topic is answered with its error.
        Assert.Equal("ghost:", Page(Answer(["ghost"], cursor: ("ghost", 3))));
    }
}
