using System.CommandLine;
using Reference.Cli.Parsing;
using Reference.Client.Network;
using Reference.Client.Producer;
using Reference.Client.Records;

namespace Reference.Cli.Commands;

/// <summary>`kraft console-producer`: every line of standard input becomes one record (kafka-console-producer.sh).</summary>
public sealed class ConsoleProducerCommand : ICliVerb
{
    /// <summary>Records sent but not yet acknowledged before reading more input waits for the oldest.</summary>
    private const int UnacknowledgedRecordsMax = 10_000;

    private readonly Option<string> _bootstrap = CommonOptions.BootstrapServer();
    private readonly Option<string> _topic = new("--topic") { Description = "REQUIRED: the topic to produce to.", Required = true };
    private readonly Option<string[]> _property = CommonOptions.Repeatable("--property",
        "A line-reader property: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error.");
    private readonly Option<string[]> _producerProperty = CommonOptions.Repeatable("--producer-property",
        "A producer setting, name=value: acks, linger.ms, batch.size, client.id, max.block.ms, retries, request.timeout.ms.");
    private readonly Option<string> _acks = new("--request-required-acks") { Description = "The acknowledgement to wait for: all (or -1), 1 or 0.", DefaultValueFactory = _ => "-1" };
    private readonly Option<bool> _sync = CommonOptions.Flag("--sync", "Send each record on its own and wait for its acknowledgement before reading the next line.");

    public Command Build(CliConsole console)
    {
        var command = new Command("console-producer", "Read lines from standard input and produce each as a record (kafka-console-producer.sh).")
        {
            _bootstrap, _topic, _property, _producerProperty, _acks, _sync,
        };
        command.SetVerbAction(console, (parsed, cancellationToken) => RunAsync(parsed, console, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        string topic = parsed.GetRequiredValue(_topic);
        var reader = new LineRecordReader(topic, KeyValueArguments.Parse(parsed.GetValue(_property), "--property"));
        var settings = KeyValueArguments.Parse(parsed.GetValue(_producerProperty), "--producer-property");
        if (!settings.ContainsKey("acks")) settings["acks"] = parsed.GetValue(_acks) ?? "-1";
        ProducerOptions options = ProducerSettings.From(settings, console.Error);
        ClientOptions clientOptions = CommonOptions.Client(parsed.GetRequiredValue(_bootstrap), KeyValueArguments.Get(settings, "client.id", "console-producer")) with
        {
            RequestTimeoutMs = KeyValueArguments.GetInt(settings, "request.timeout.ms", 30_000, "--producer-property"),
        };
        await using var cluster = new ClusterClient(clientOptions);
        var producer = new KafkaProducer(cluster, options);
        var unacknowledged = new Queue<(ProducerRecord Record, Task<RecordMetadata> Delivery)>();
        int failures = 0;
        bool sync = parsed.GetValue(_sync);
        for (int lineNumber = 1; ; lineNumber++)
        {
            if (console.InputIsTerminal) await console.Out.WriteAsync('>');
            string? line = await console.In.ReadLineAsync(cancellationToken);
            if (line is null) break;
            ProducerRecord record = reader.Read(line, lineNumber);
            unacknowledged.Enqueue((record, producer.SendAsync(record, cancellationToken)));
            while (unacknowledged.Count > 0 && (sync || unacknowledged.Count > UnacknowledgedRecordsMax || unacknowledged.Peek().Delivery.IsCompleted))
                failures += await ReportAsync(unacknowledged.Dequeue(), console);
        }
        await producer.FlushAsync();
        while (unacknowledged.Count > 0) failures += await ReportAsync(unacknowledged.Dequeue(), console);
        return failures == 0 ? VerbAction.Success : VerbAction.Failure;
    }

    /// <summary>Waits for one record; prints Kafka's ErrorLoggingCallback line when it failed.</summary>
    private static async Task<int> ReportAsync((ProducerRecord Record, Task<RecordMetadata> Delivery) sent, CliConsole console)
    {
        try
        {
            await sent.Delivery;
            return 0;
        }
        catch (Exception error) when (error is Client.Errors.KafkaClientException or OperationCanceledException)
        {
            string key = sent.Record.Key is null ? "null" : $"{sent.Record.Key.Length} bytes";
            string value = sent.Record.Value is null ? "null" : $"{sent.Record.Value.Length} bytes";
            await console.Error.WriteLineAsync($"Error when sending message to topic {sent.Record.Topic} with key: {key}, value: {value} with error: {error.Message}");
            return 1;
        }
    }
}
