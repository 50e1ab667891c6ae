using System.Text.RegularExpressions;
using Reference.EndToEnd.Tests.ConfluentKafka;
using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.Crash;

/// <summary>
/// `kill -9` of the broker, then a restart on the same directory. SIGKILL loses the process and nothing
/// else (the page cache survives), so whatever the broker acknowledged must still be there: acks=1 and
/// acks=all both mean "the leader wrote it", and on one node acks=all adds no other replica. Each test
/// kills and restarts this class's broker and leaves it running.
/// </summary>
public sealed class CrashRecoveryTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    /// <summary>Acknowledgements to see before the kill, so the kill lands in steady production with batches in flight.</summary>
    private const int AcknowledgedBeforeKillMin = 5_000;

    /// <summary>More than the producer can send before the kill: it is always still producing when the broker dies.</summary>
    private const int ProducedMax = 5_000_000;

    private static readonly TimeSpan ProduceWait = TimeSpan.FromSeconds(60);

    private KraftBroker Broker => fixture.Broker;

    [Fact]
    public Task EveryAcks1AcknowledgedMessageSurvivesAKill9() => AcknowledgedMessagesSurviveAKillAsync("crash-acks-1", "1");

    [Fact]
    public Task EveryAcksAllAcknowledgedMessageSurvivesAKill9() => AcknowledgedMessagesSurviveAKillAsync("crash-acks-all", "all");

    /// <summary>
    /// After the restart every acknowledged (partition, offset, value) must be readable at exactly that
    /// offset, and each partition must be whole from offset 0 to its end: recovery may drop records that
    /// were never acknowledged (a torn tail), but never leave a hole with records after it. The restarted
    /// log must also take new records right after what it recovered.
    /// </summary>
    private Task AcknowledgedMessagesSurviveAKillAsync(string topic, string acks) => TestSession.RunAsync(output, Broker, async session =>
    {
        const int partitions = 2;
        await session.Cluster.CreateTopicAsync(topic, partitions);
        ChildProcess producer = session.Start(ConfluentProducer.Command(Broker, topic, ProducedMax, acks, idempotent: false, prefix: topic));
        await producer.WaitForOutputAsync(lines => lines.Count >= AcknowledgedBeforeKillMin, ProduceWait, $"{AcknowledgedBeforeKillMin} acknowledgements");

        await Broker.KillAsync();
        Assert.False(producer.HasExited, "The producer stopped before the broker was killed, so the kill did not land during production.");
        await producer.KillAsync();
        IReadOnlyList<Acknowledgement> acknowledged = ConfluentProducer.Acknowledgements(producer, wasKilled: true);
        Assert.True(acknowledged.Count >= AcknowledgedBeforeKillMin, $"only {acknowledged.Count} acknowledgements were recorded");

        await Broker.RestartAsync();
        IReadOnlyDictionary<int, long> ends = await session.Cluster.EndOffsetsAsync(topic);
        IReadOnlyList<StoredRecord> stored = await session.Cluster.ReadAllAsync(topic);

        for (int partition = 0; partition < partitions; partition++)
        {
            var offsets = stored.Where(r => r.Partition == partition).Select(r => r.Offset).ToList();
            Assert.True(offsets.SequenceEqual(Enumerable.Range(0, (int)ends[partition]).Select(o => (long)o)),
                $"partition {partition} should hold offsets 0..{ends[partition] - 1} without a hole; it holds {offsets.Count} records, the first missing offset is {FirstMissing(offsets)}");
        }
        Regex sentValue = new($"^{Regex.Escape(topic)}-\\d{{9}}$");
        Assert.All(stored, r => Assert.Matches(sentValue, r.Value ?? "null"));
        var byPosition = stored.ToDictionary(r => (r.Partition, r.Offset), r => r.Value);
        var lost = acknowledged.Where(a => !byPosition.TryGetValue((a.Partition, a.Offset), out string? value) || value != a.Value).ToList();
        Assert.True(lost.Count == 0,
            $"{lost.Count} of {acknowledged.Count} acknowledged records are not at their acknowledged offset after the restart, e.g. "
            + string.Join(", ", lost.Take(5).Select(a => $"{a.Value} at {a.Partition}:{a.Offset} (found {byPosition.GetValueOrDefault((a.Partition, a.Offset)) ?? "nothing"})")));

        for (int partition = 0; partition < partitions; partition++)
        {
            var written = await session.Cluster.ProduceAsync(topic, [("after-restart", "after-restart")], partition);
            Assert.Equal(ends[partition], written.Single().Offset);
        }
    });

    /// <summary>
    /// A consumer commits (synchronously, after each message) part of a topic; the broker is killed and
    /// restarted; the committed offsets must be the same, and the group's next consumer must start there.
    /// </summary>
    [Fact]
    public Task OffsetsCommittedBeforeAKill9HoldAfterRestart() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "crash-offsets";
        const string group = "crash-offsets";
        const int count = 1_000;
        const int firstRunCount = 300;
        await session.Cluster.CreateTopicAsync(topic, 2);
        await session.Cluster.ProduceAsync(topic, Enumerable.Range(0, count).Select(i => ($"key-{i}", $"value-{i}")));
        ChildProcess first = await session.RunAsync(ConfluentConsumer.Command(Broker, group, topic, firstRunCount));
        Assert.Equal(0, first.ExitCode);
        IReadOnlyDictionary<int, long> committedBefore = await session.Cluster.CommittedOffsetsAsync(group, topic);
        Assert.Equal(firstRunCount, committedBefore.Values.Sum());

        await Broker.KillAsync();
        await Broker.RestartAsync();

        IReadOnlyDictionary<int, long> committedAfter = await session.Cluster.CommittedOffsetsAsync(group, topic);
        Assert.Equal(ClusterProbe.Show(committedBefore), ClusterProbe.Show(committedAfter));
        ChildProcess second = await session.RunAsync(ConfluentConsumer.Command(Broker, group, topic, count - firstRunCount));
        Assert.Equal(0, second.ExitCode);
        IReadOnlyList<Acknowledgement> secondRun = ConfluentConsumer.Consumed(second);
        foreach (var partition in secondRun.GroupBy(m => m.Partition))
            Assert.Equal(committedBefore.GetValueOrDefault(partition.Key, 0), partition.First().Offset);
        var all = ConfluentConsumer.Consumed(first).Concat(secondRun).Select(m => (m.Partition, m.Offset)).ToList();
        Assert.Equal(count, all.Distinct().Count());
        Assert.Equal(count, all.Count);
    });

    private static string FirstMissing(List<long> offsets)
    {
        long expected = 0;
        foreach (long offset in offsets)
        {
            if (offset != expected) return $"{expected}";
            expected++;
        }
        return "none (the partition ends early)";
    }
}
