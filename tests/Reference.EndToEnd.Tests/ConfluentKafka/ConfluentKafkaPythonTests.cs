using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.ConfluentKafka;

/// <summary>confluent-kafka-python 1.7.0 (librdkafka 2.0.2) against the broker: the idempotent producer and manual commits.</summary>
public sealed class ConfluentKafkaPythonTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    private KraftBroker Broker => fixture.Broker;

    /// <summary>
    /// enable.idempotence=true makes librdkafka ask for a producer id (InitProducerId) and number its
    /// batches; with acks=all every message must be acknowledged once, and the log must hold each exactly
    /// once, at the offset it was acknowledged at.
    /// </summary>
    [Fact]
    public Task IdempotentProducerWithAcksAllWritesEachMessageExactlyOnce() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "confluent-idempotent";
        const int count = 2_000;
        await session.Cluster.CreateTopicAsync(topic, 2);

        ChildProcess produce = await session.RunAsync(ConfluentProducer.Command(Broker, topic, count, "all", idempotent: true, prefix: "idem"));

        Assert.Equal(0, produce.ExitCode);
        Assert.Contains($"delivered {count} failed 0", produce.StandardOutput.Snapshot());
        IReadOnlyList<Acknowledgement> acknowledged = ConfluentProducer.Acknowledgements(produce);
        Assert.Equal(count, acknowledged.Count);
        Assert.Equal(count, acknowledged.Select(a => a.Value).Distinct().Count());

        IReadOnlyList<StoredRecord> stored = await session.Cluster.ReadAllAsync(topic);
        Assert.Equal(acknowledged.OrderBy(a => a.Partition).ThenBy(a => a.Offset).Select(a => (a.Partition, a.Offset, a.Value)),
            stored.Select(r => (r.Partition, r.Offset, r.Value!)));
    });

    /// <summary>
    /// A consumer with enable.auto.commit=false commits each message synchronously after printing it and
    /// stops after 400 of 1,000; the group's committed offsets must then be just past the last message it
    /// printed, and a restarted consumer must read exactly the other 600, from those offsets on.
    /// </summary>
    [Fact]
    public Task ManualCommitConsumerResumesAtTheCommittedOffsetAfterRestart() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "confluent-manual-commit";
        const string group = "confluent-manual-commit";
        const int count = 1_000;
        const int firstRunCount = 400;
        await session.Cluster.CreateTopicAsync(topic, 2);
        ChildProcess produce = await session.RunAsync(ConfluentProducer.Command(Broker, topic, count, "all", idempotent: false, prefix: "manual"));
        Assert.Equal(0, produce.ExitCode);

        ChildProcess first = await session.RunAsync(ConfluentConsumer.Command(Broker, group, topic, firstRunCount));
        Assert.Equal(0, first.ExitCode);
        IReadOnlyList<Acknowledgement> firstRun = ConfluentConsumer.Consumed(first);
        Assert.Equal(firstRunCount, firstRun.Count);
        IReadOnlyDictionary<int, long> committed = await session.Cluster.CommittedOffsetsAsync(group, topic);
        Assert.Equal(ClusterProbe.Show(PastLastOffsets(firstRun)), ClusterProbe.Show(committed));

        ChildProcess second = await session.RunAsync(ConfluentConsumer.Command(Broker, group, topic, count - firstRunCount));
        Assert.Equal(0, second.ExitCode);
        IReadOnlyList<Acknowledgement> secondRun = ConfluentConsumer.Consumed(second);

        foreach (var partition in secondRun.GroupBy(m => m.Partition))
            Assert.Equal(committed.GetValueOrDefault(partition.Key, 0), partition.First().Offset);
        IReadOnlyList<StoredRecord> stored = await session.Cluster.ReadAllAsync(topic);
        Assert.Equal(
            stored.Select(r => (r.Partition, r.Offset, r.Value!)),
            firstRun.Concat(secondRun).OrderBy(m => m.Partition).ThenBy(m => m.Offset).Select(m => (m.Partition, m.Offset, m.Value)));
    });

    /// <summary>Per partition, the offset after the last message read: what a consumer that commits after each message has committed.</summary>
    private static IReadOnlyDictionary<int, long> PastLastOffsets(IEnumerable<Acknowledgement> read) =>
        read.GroupBy(m => m.Partition).ToDictionary(p => p.Key, p => p.Max(m => m.Offset) + 1);
}
