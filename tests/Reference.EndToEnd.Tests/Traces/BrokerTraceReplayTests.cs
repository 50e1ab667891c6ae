using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.Traces;

/// <summary>
/// trace.record.path: a real broker records every input its core receives, with the effects it asked for;
/// `kraft replay` re-runs them through a fresh core over in-memory storage and must find every effect the
/// same, and must name the first one that is not when the file says otherwise.
/// </summary>
public sealed class BrokerTraceReplayTests(ITestOutputHelper output)
{
    private const string ConsumerIdleTimeoutMs = "30000";

    [Fact]
    public async Task ARecordedBrokerRunReplaysIdenticallyAndATamperedEffectIsNamed()
    {
        await using KraftBroker broker = await KraftBroker.StartAsync(recordTrace: true);
        await TestSession.RunAsync(output, broker, async session =>
        {
            const string topic = "traced";
            ChildProcess create = await session.RunAsync(Kraft(broker, "topics", "--create", "--topic", topic, "--partitions", "2", "--replication-factor", "1"));
            Assert.True(create.ExitCode == 0, create.Describe());
            await session.Cluster.WaitForLeadersAsync(topic, 2);
            await ProduceAndConsumeAsync(session, broker, topic, first: 0, count: 20);
            Assert.Equal(0, await broker.StopAsync());
            string firstRun = Path.Combine(broker.Directory, "first-run.trace");
            File.Copy(broker.TracePath, firstRun);
            await ReplaysIdenticallyAsync(session, firstRun);

            // The second run starts from the first run's disk: its trace begins with what the disk held.
            await broker.RestartAsync();
            await session.Cluster.WaitForLeadersAsync(topic, 2);
            await ProduceAndConsumeAsync(session, broker, topic, first: 20, count: 10);
            Assert.Equal(0, await broker.StopAsync());
            string trace = await File.ReadAllTextAsync(broker.TracePath);
            Assert.Contains("\nsource broker\n", trace);
            Assert.Contains(" n1 preload log=__cluster_metadata-0 ", trace);
            Assert.Contains($" n1 preload log={topic}-", trace); // the partition the producer's sticky batches went to
            Assert.Contains(" n1 preload-quorum-state ", trace);
            await ReplaysIdenticallyAsync(session, broker.TracePath);

            // One recorded effect changed (the first answer to a Produce): replay must stop there and show both.
            string[] lines = trace.Split('\n');
            int produced = Array.FindIndex(lines, line => line.StartsWith("  = respond ", StringComparison.Ordinal) && line.Contains(" Produce v", StringComparison.Ordinal));
            Assert.True(produced > 0, "the trace records no answer to a Produce");
            string original = lines[produced];
            lines[produced] = original[..^1] + (original[^1] == '0' ? '1' : '0');
            string tampered = Path.Combine(broker.Directory, "tampered.trace");
            await File.WriteAllTextAsync(tampered, string.Join('\n', lines));
            ChildProcess diverged = await session.RunAsync(ClientCommands.Kraft("replay", tampered));
            Assert.Equal(1, diverged.ExitCode);
            string report = string.Join("\n", diverged.StandardOutput.Snapshot());
            int input = Array.FindLastIndex(lines, produced, line => !line.StartsWith("  = ", StringComparison.Ordinal));
            Assert.Contains($"diverged at line {input + 1} ", report); // the line of the event whose effect differs
            Assert.Contains($"expected: {lines[produced][4..]}", report);
            Assert.Contains($"actual:   {original[4..]}", report);

            // A recording cut mid-line (a crash while writing) replays as far as its last whole event.
            string cut = Path.Combine(broker.Directory, "cut.trace");
            await File.WriteAllTextAsync(cut, trace[..(trace.Length * 2 / 3)]);
            ChildProcess prefix = await session.RunAsync(ClientCommands.Kraft("replay", cut));
            Assert.True(prefix.ExitCode == 0, prefix.Describe());
        });
    }

    private static async Task ProduceAndConsumeAsync(TestSession session, KraftBroker broker, string topic, int first, int count)
    {
        ChildProcess produce = await session.RunAsync(Kraft(broker, "console-producer", "--topic", topic),
            string.Join("\n", Enumerable.Range(first, count).Select(i => $"value {i}")) + "\n");
        Assert.True(produce.ExitCode == 0, produce.Describe());
        ChildProcess consume = await session.RunAsync(Kraft(broker, "console-consumer", "--topic", topic, "--from-beginning",
            "--max-messages", $"{first + count}", "--timeout-ms", ConsumerIdleTimeoutMs));
        Assert.True(consume.ExitCode == 0, consume.Describe());
        Assert.Equal(first + count, consume.StandardOutput.Snapshot().Count);
    }

    private static async Task ReplaysIdenticallyAsync(TestSession session, string path)
    {
        ChildProcess replay = await session.RunAsync(ClientCommands.Kraft("replay", path));
        Assert.True(replay.ExitCode == 0, replay.Describe());
        Assert.Contains(replay.StandardOutput.Snapshot(), line => line.Contains(": identical: ", StringComparison.Ordinal));
    }

    private static Command Kraft(KraftBroker broker, params string[] arguments) =>
        ClientCommands.Kraft([arguments[0], "--bootstrap-server", broker.BootstrapServer, .. arguments[1..]]);
}
