using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Reference.Client.Producer;
using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.Kafkajs;

/// <summary>kafkajs 2.2.4 against the broker: admin and producer, and a consumer group that rebalances and resumes.</summary>
public sealed class KafkajsTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan GroupWait = TimeSpan.FromSeconds(60);

    private KraftBroker Broker => fixture.Broker;

    /// <summary>kafkajs's default partitioner is Java's murmur2, so its keyed messages must land where Murmur2 says.</summary>
    [Fact]
    public Task KafkajsCreatesATopicAndProducesKeyedMessagesToJavasPartitions() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "kafkajs-produced";
        const int partitions = 4;
        const int count = 200;

        ChildProcess run = await session.RunAsync(ClientCommands.Kafkajs("kafkajs-produce.js", Broker.BootstrapServer, topic,
            "--create", $"{partitions}", "--count", $"{count}", "--prefix", "js"));

        Assert.Equal(0, run.ExitCode);
        var events = Events(run);
        Assert.Contains(events, e => Is(e, "created") && e["created"]!.GetValue<bool>());
        var sent = events.Where(e => Is(e, "sent")).ToList();
        Assert.All(sent, e => Assert.Equal(0, e["errorCode"]!.GetValue<int>()));
        Assert.All(sent, e => Assert.Equal("0", e["baseOffset"]!.GetValue<string>()));

        IReadOnlyList<StoredRecord> stored = await session.Cluster.ReadAllAsync(topic);
        Assert.Equal(partitions, (await session.Cluster.EndOffsetsAsync(topic)).Count);
        Assert.Equal(count, stored.Count);
        Assert.Equal(
            Enumerable.Range(0, count).Select(i => $"js-key-{i}").Order(StringComparer.Ordinal),
            stored.Select(r => r.Key!).Order(StringComparer.Ordinal));
        foreach (StoredRecord record in stored)
        {
            Assert.Equal(Murmur2.PartitionForKey(Encoding.UTF8.GetBytes(record.Key!), partitions), record.Partition);
            Assert.Equal(record.Key!.Replace("-key-", "-value-", StringComparison.Ordinal), record.Value);
        }
        Assert.Equal(sent.Select(e => e["partition"]!.GetValue<int>()).Order(), stored.Select(r => r.Partition).Distinct().Order());
    });

    /// <summary>
    /// Two members split the partitions; when one leaves (SIGTERM: kafkajs commits and sends LeaveGroup)
    /// the other must be given every partition and go on reading all of them. Nothing produced is lost
    /// between the two (at-least-once: a record may be read twice around the rebalance, never not at all).
    /// </summary>
    [Fact]
    public Task KafkajsGroupRebalancesOntoTheRemainingMemberWhenOneLeaves() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "kafkajs-rebalance";
        const string group = "kafkajs-rebalance";
        int[] all = [0, 1, 2, 3];
        await session.Cluster.CreateTopicAsync(topic, all.Length);
        await session.Cluster.ProduceAsync(topic, Numbered("before", 200));

        ChildProcess stays = session.Start(Member(group, topic));
        await stays.WaitForOutputAsync(lines => SameSet(LatestAssignment(lines), all), GroupWait, "the first member to be assigned every partition");
        ChildProcess leaves = session.Start(Member(group, topic));
        await Poll.UntilAsync(
            () => SplitBetween(LatestAssignment(stays.StandardOutput.Snapshot()), LatestAssignment(leaves.StandardOutput.Snapshot()), all),
            GroupWait,
            () => "the two members to split the partitions between them");
        int joinsBeforeLeaving = JoinCount(stays.StandardOutput.Snapshot());

        Assert.Equal(0, await leaves.TerminateAsync(GroupWait));
        Assert.Contains(Events(leaves), e => Is(e, "left"));
        await stays.WaitForOutputAsync(
            lines => JoinCount(lines) > joinsBeforeLeaving && SameSet(LatestAssignment(lines), all),
            GroupWait,
            "the remaining member to rejoin with every partition");

        await session.Cluster.ProduceAsync(topic, Numbered("after", 40));
        await stays.WaitForOutputAsync(
            lines => MessageValues(lines).Count(v => v.StartsWith("after-", StringComparison.Ordinal)) >= 40,
            GroupWait,
            "the remaining member to read the 40 records produced after the rebalance");

        var read = MessageValues(stays.StandardOutput.Snapshot()).Concat(MessageValues(leaves.StandardOutput.Snapshot())).ToHashSet();
        var produced = Numbered("before", 200).Concat(Numbered("after", 40)).Select(r => r.Value).ToList();
        var lost = produced.Where(v => !read.Contains(v)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {produced.Count} records were read by neither member, e.g. {string.Join(", ", lost.Take(5))}");
    });

    /// <summary>
    /// A member reads everything and commits; it is stopped, more is produced, and a new member of the
    /// same group (subscribed fromBeginning, which only applies without a committed offset) must start
    /// exactly at the committed offsets: no record read again, none skipped.
    /// </summary>
    [Fact]
    public Task KafkajsGroupResumesAtItsCommittedOffsetsWhenRestarted() => TestSession.RunAsync(output, Broker, async session =>
    {
        const string topic = "kafkajs-resume";
        const string group = "kafkajs-resume";
        const int partitions = 3;
        await session.Cluster.CreateTopicAsync(topic, partitions);
        IReadOnlyDictionary<int, long> firstEnds = await ProduceWithKafkajsAsync(session, topic, 90, "first");
        await ReadCommitAndLeaveAsync(session, group, topic, 90, firstEnds);

        IReadOnlyDictionary<int, long> secondEnds = await ProduceWithKafkajsAsync(session, topic, 60, "second");
        ChildProcess second = await ReadCommitAndLeaveAsync(session, group, topic, 60, secondEnds);

        var messages = Events(second).Where(e => Is(e, "message")).ToList();
        for (int partition = 0; partition < partitions; partition++)
        {
            var offsets = messages.Where(e => e["partition"]!.GetValue<int>() == partition)
                .Select(e => long.Parse(e["offset"]!.GetValue<string>(), CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, (int)(secondEnds[partition] - firstEnds[partition])).Select(i => firstEnds[partition] + i), offsets);
        }
        Assert.All(messages, e => Assert.StartsWith("second-value-", e["value"]!.GetValue<string>()));
    });

    /// <summary>Produces with kafkajs-produce.js and returns the topic's end offsets after it.</summary>
    private async Task<IReadOnlyDictionary<int, long>> ProduceWithKafkajsAsync(TestSession session, string topic, int count, string prefix)
    {
        ChildProcess produce = await session.RunAsync(ClientCommands.Kafkajs("kafkajs-produce.js", Broker.BootstrapServer, topic, "--count", $"{count}", "--prefix", prefix));
        Assert.Equal(0, produce.ExitCode);
        return await session.Cluster.EndOffsetsAsync(topic);
    }

    /// <summary>Runs a member until it has printed <paramref name="count"/> records and the group's commits reach <paramref name="ends"/>, then stops it with SIGTERM.</summary>
    private async Task<ChildProcess> ReadCommitAndLeaveAsync(TestSession session, string group, string topic, int count, IReadOnlyDictionary<int, long> ends)
    {
        ChildProcess member = session.Start(Member(group, topic));
        await member.WaitForOutputAsync(lines => MessageValues(lines).Count() >= count, GroupWait, $"the member to read {count} records");
        await session.Cluster.WaitForCommittedAsync(group, topic, ends);
        Assert.Equal(0, await member.TerminateAsync(GroupWait));
        return member;
    }

    private Command Member(string group, string topic) =>
        ClientCommands.Kafkajs("kafkajs-group-member.js", Broker.BootstrapServer, group, topic);

    private static IEnumerable<(string Key, string Value)> Numbered(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => ($"{prefix}-key-{i}", $"{prefix}-{i}"));

    /// <summary>The JSON events a script printed; kafkajs's own log lines go to stderr and are not among them.</summary>
    private static List<JsonNode> Events(ChildProcess process) => Events(process.StandardOutput.Snapshot());

    private static List<JsonNode> Events(IReadOnlyList<string> lines) =>
        lines.Where(l => l.StartsWith("{\"event\":", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!).ToList();

    private static bool Is(JsonNode e, string name) => e["event"]!.GetValue<string>() == name;

    private static int[]? LatestAssignment(IReadOnlyList<string> lines) =>
        Events(lines).LastOrDefault(e => Is(e, "joined"))?["partitions"]!.AsArray().Select(p => p!.GetValue<int>()).ToArray();

    private static int JoinCount(IReadOnlyList<string> lines) => Events(lines).Count(e => Is(e, "joined"));

    private static IEnumerable<string> MessageValues(IReadOnlyList<string> lines) =>
        Events(lines).Where(e => Is(e, "message")).Select(e => e["value"]!.GetValue<string>());

    private static bool SameSet(int[]? partitions, int[] expected) => partitions is not null && partitions.Order().SequenceEqual(expected);

    private static bool SplitBetween(int[]? one, int[]? other, int[] all) =>
        one is { Length: > 0 } && other is { Length: > 0 } && !one.Intersect(other).Any() && SameSet([.. one, .. other], all);
}
