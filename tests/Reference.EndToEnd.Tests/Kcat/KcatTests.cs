using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Reference.Client.Producer;
using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.Kcat;

/// <summary>kcat 1.7.1 (librdkafka 2.0.2) against the broker: metadata, keyed produce and consume, and a balanced consumer group.</summary>
public sealed partial class KcatTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    private const int KeyedMessageCount = 10_000;
    private static readonly TimeSpan GroupWait = TimeSpan.FromSeconds(60);

    private KraftBroker Broker => fixture.Broker;

    [Fact]
    public Task KcatListsTheBrokerAndItsTopics() => TestSession.RunAsync(output, Broker, async session =>
    {
        await session.Cluster.CreateTopicAsync("kcat-listed-one", 1);
        await session.Cluster.CreateTopicAsync("kcat-listed-three", 3);

        ChildProcess list = await session.RunAsync(ClientCommands.Kcat("-b", Broker.BootstrapServer, "-L", "-m", "10"));

        Assert.Equal(0, list.ExitCode);
        IReadOnlyList<string> lines = list.StandardOutput.Snapshot();
        // kcat's metadata_print: " N brokers:", "  broker ID at HOST:PORT[ (controller)]", '  topic "T" with N partitions:',
        // "    partition P, leader L, replicas: R, isrs: I".
        Assert.Contains(" 1 brokers:", lines);
        Assert.Contains(lines, line => Regex.IsMatch(line, $@"^  broker 1 at 127\.0\.0\.1:{Broker.Port}( \(controller\))?$"));
        Assert.Contains("  topic \"kcat-listed-one\" with 1 partitions:", lines);
        Assert.Contains("  topic \"kcat-listed-three\" with 3 partitions:", lines);
        foreach (int partition in new[] { 0, 1, 2 })
            Assert.Contains($"    partition {partition}, leader 1, replicas: 1, isrs: 1", lines);
    });

    /// <summary>
    /// librdkafka's default partitioner is consistent_random (CRC32); with murmur2_random it places keys as
    /// Kafka's Java producer does, so every key must come back from the partition Murmur2 names, once.
    /// </summary>
    [Fact]
    public Task KeyedMessagesFromKcatLandOnThePartitionsJavasPartitionerPicks() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "kcat-keyed";
        const int partitions = 3;
        await session.Cluster.CreateTopicAsync(topic, partitions);
        var input = new StringBuilder();
        for (int i = 0; i < KeyedMessageCount; i++) input.Append(CultureInfo.InvariantCulture, $"key-{i}:value-{i}\n");

        ChildProcess produce = await session.RunAsync(
            ClientCommands.Kcat("-P", "-b", Broker.BootstrapServer, "-t", topic, "-K:", "-X", "partitioner=murmur2_random"),
            input.ToString());
        Assert.Equal(0, produce.ExitCode);

        ChildProcess consume = await session.RunAsync(
            ClientCommands.Kcat("-C", "-b", Broker.BootstrapServer, "-t", topic, "-o", "beginning", "-e", "-f", "%p %o %k %s\\n"));
        Assert.Equal(0, consume.ExitCode);

        var consumed = ParseConsumed(consume);
        Assert.Equal(KeyedMessageCount, consumed.Count);
        Assert.Equal(KeyedMessageCount, consumed.Select(m => m.Key).Distinct().Count());
        foreach (KcatMessage message in consumed)
        {
            int expected = Murmur2.PartitionForKey(Encoding.UTF8.GetBytes(message.Key), partitions);
            Assert.True(expected == message.Partition, $"{message.Key} is in partition {message.Partition}; Java's partitioner puts it in {expected}");
            Assert.Equal("value-" + message.Key["key-".Length..], message.Value);
        }
        // Each partition holds offsets 0..n-1 with nothing missing, in the order kcat sent them.
        foreach (var partition in consumed.GroupBy(m => m.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(o => (long)o), partition.Select(m => m.Offset));
            var sequence = partition.Select(m => int.Parse(m.Key["key-".Length..], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }
        Assert.Equal(partitions, consumed.Select(m => m.Partition).Distinct().Count());
    });

    /// <summary>
    /// A `-G` balanced consumer reads everything, commits (librdkafka's auto-commit), is stopped with
    /// SIGTERM and started again: it must go on exactly from the committed offsets. Its offsets were all
    /// committed before the stop, so at-least-once allows no redelivery here: a repeat means the broker
    /// lost or ignored a commit, a gap means it skipped records.
    /// </summary>
    [Fact]
    public Task KcatGroupResumesAfterItsCommittedOffsetsWhenRestarted() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "kcat-group";
        const string group = "kcat-resume";
        const int partitions = 3;
        const int firstCount = 600;
        const int secondCount = 400;
        await session.Cluster.CreateTopicAsync(topic, partitions);
        await session.Cluster.ProduceAsync(topic, Numbered("first", firstCount));
        IReadOnlyDictionary<int, long> firstEnds = await session.Cluster.EndOffsetsAsync(topic);

        ChildProcess first = session.Start(GroupConsumer(topic, group, exitAtEnd: false));
        await first.WaitForOutputAsync(lines => lines.Count >= firstCount, GroupWait, $"the first consumer to print {firstCount} messages");
        await session.Cluster.WaitForCommittedAsync(group, topic, firstEnds);
        await first.TerminateAsync(GroupWait);
        IReadOnlyDictionary<int, long> committed = await session.Cluster.CommittedOffsetsAsync(group, topic);
        Assert.Equal(ClusterProbe.Show(firstEnds), ClusterProbe.Show(committed));

        await session.Cluster.ProduceAsync(topic, Numbered("second", secondCount));
        IReadOnlyDictionary<int, long> secondEnds = await session.Cluster.EndOffsetsAsync(topic);
        ChildProcess second = await session.RunAsync(GroupConsumer(topic, group, exitAtEnd: true), timeout: GroupWait);
        Assert.Equal(0, second.ExitCode);

        var firstRun = ParseConsumed(first);
        var secondRun = ParseConsumed(second);
        for (int partition = 0; partition < partitions; partition++)
        {
            var expectedFirst = Offsets(0, firstEnds[partition]);
            var expectedSecond = Offsets(committed[partition], secondEnds[partition]);
            Assert.Equal(expectedFirst, firstRun.Where(m => m.Partition == partition).Select(m => m.Offset));
            Assert.Equal(expectedSecond, secondRun.Where(m => m.Partition == partition).Select(m => m.Offset));
        }
        Assert.All(secondRun, m => Assert.StartsWith("second-", m.Value));
        Assert.Equal(secondCount, secondRun.Count);
    });

    /// <summary>
    /// kcat -G: -X auto.offset.reset=earliest rather than -o beginning, because kcat applies -o to every
    /// assigned partition and would override the committed offsets this test is about.
    /// </summary>
    private Command GroupConsumer(string topic, string group, bool exitAtEnd)
    {
        var arguments = new List<string>
        {
            "-b", Broker.BootstrapServer, "-G", group,
            "-X", "auto.offset.reset=earliest",
            "-X", "auto.commit.interval.ms=100",
            "-f", "%p %o %k %s\\n",
            "-u", // unbuffered: each message line reaches the test as kcat prints it
        };
        if (exitAtEnd) arguments.AddRange(["-e", "-X", "enable.partition.eof=true"]);
        arguments.Add(topic);
        return ClientCommands.Kcat([.. arguments]);
    }

    private static IEnumerable<(string Key, string Value)> Numbered(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => ($"{prefix}-key-{i}", $"{prefix}-{i}"));

    private static IEnumerable<long> Offsets(long from, long to) => Enumerable.Range(0, (int)(to - from)).Select(i => from + i);

    private sealed record KcatMessage(int Partition, long Offset, string Key, string Value);

    /// <summary>The "%p %o %k %s" lines kcat printed, in the order it printed them.</summary>
    private static List<KcatMessage> ParseConsumed(ChildProcess kcat)
    {
        Assert.Equal(0, kcat.StandardOutput.DroppedCount);
        return kcat.StandardOutput.Snapshot().Select(line =>
        {
            Match match = ConsumedLine().Match(line);
            Assert.True(match.Success, $"kcat printed '{line}', not 'PARTITION OFFSET KEY VALUE'");
            return new KcatMessage(
                int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                match.Groups[3].Value,
                match.Groups[4].Value);
        }).ToList();
    }

    [GeneratedRegex(@"^(\d+) (\d+) (\S+) (\S+)$")]
    private static partial Regex ConsumedLine();
}
