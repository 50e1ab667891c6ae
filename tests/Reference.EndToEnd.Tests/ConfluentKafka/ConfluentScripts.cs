using System.Globalization;
using System.Text.RegularExpressions;
using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.ConfluentKafka;

/// <summary>A record a client reported: acknowledged by the broker (producer) or read (consumer).</summary>
public sealed record Acknowledgement(int Partition, long Offset, string Value);

/// <summary>tests/clients/confluent-producer.py: produces numbered messages and prints "acked PARTITION OFFSET VALUE" per acknowledgement.</summary>
public static partial class ConfluentProducer
{
    public static Command Command(KraftBroker broker, string topic, int count, string acks, bool idempotent, string prefix)
    {
        var arguments = new List<string> { broker.BootstrapServer, topic, "--count", $"{count}", "--acks", acks, "--prefix", prefix };
        if (idempotent) arguments.Add("--idempotent");
        return ClientCommands.ConfluentKafka("confluent-producer.py", [.. arguments]);
    }

    /// <summary>
    /// Every acknowledgement printed. A producer killed mid-write may leave its last line cut short: with
    /// <paramref name="wasKilled"/> that one line is ignored (the fixed-width value makes a cut line never
    /// match); any other line that is not an acknowledgement or the final count fails the test.
    /// </summary>
    public static IReadOnlyList<Acknowledgement> Acknowledgements(ChildProcess producer, bool wasKilled = false) =>
        ParseLines(producer, AckedLine(), wasKilled, line => line.StartsWith("delivered ", StringComparison.Ordinal));

    /// <summary>Parses a client's report lines: each must match <paramref name="pattern"/> (partition, offset, value) or be accepted by <paramref name="isSummary"/>.</summary>
    internal static IReadOnlyList<Acknowledgement> ParseLines(ChildProcess process, Regex pattern, bool lastMayBeCut, Func<string, bool> isSummary)
    {
        Assert.Equal(0, process.StandardOutput.DroppedCount);
        IReadOnlyList<string> lines = process.StandardOutput.Snapshot();
        var parsed = new List<Acknowledgement>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            Match match = pattern.Match(lines[i]);
            if (match.Success)
            {
                parsed.Add(new Acknowledgement(
                    int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                    long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                    match.Groups[3].Value));
                continue;
            }
            bool cutShort = lastMayBeCut && i == lines.Count - 1;
            Assert.True(cutShort || isSummary(lines[i]), $"`{process.Command}` printed an unexpected line: '{lines[i]}'");
        }
        return parsed;
    }

    [GeneratedRegex(@"^acked (\d+) (\d+) (\S+-\d{9})$")]
    private static partial Regex AckedLine();
}

/// <summary>tests/clients/confluent-commit-consumer.py: reads N messages, committing each after printing "consumed PARTITION OFFSET VALUE".</summary>
public static partial class ConfluentConsumer
{
    public static Command Command(KraftBroker broker, string group, string topic, int maxMessages) =>
        ClientCommands.ConfluentKafka("confluent-commit-consumer.py", broker.BootstrapServer, group, topic, "--max-messages", $"{maxMessages}");

    public static IReadOnlyList<Acknowledgement> Consumed(ChildProcess consumer) =>
        ConfluentProducer.ParseLines(consumer, ConsumedLine(), lastMayBeCut: false, isSummary: _ => false);

    [GeneratedRegex(@"^consumed (\d+) (\d+) (\S+)$")]
    private static partial Regex ConsumedLine();
}
