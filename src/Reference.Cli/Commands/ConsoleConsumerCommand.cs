using System.CommandLine;
using System.Globalization;
using Reference.Cli.Formatting;
using Reference.Cli.Parsing;
using Reference.Client;
using Reference.Client.Consumer;
using Reference.Client.Groups;
using Reference.Client.Network;
using Reference.Client.Records;

namespace Reference.Cli.Commands;

/// <summary>
/// `kraft console-consumer`: prints a topic's records (kafka-console-consumer.sh). Without --group it reads
/// the partitions directly and commits nothing; with --group it joins the group and commits as it goes.
/// </summary>
public sealed class ConsoleConsumerCommand : ICliVerb
{
    private readonly Option<string> _bootstrap = CommonOptions.BootstrapServer();
    private readonly Option<string> _topic = new("--topic") { Description = "REQUIRED: the topic to consume.", Required = true };
    private readonly Option<bool> _fromBeginning = CommonOptions.Flag("--from-beginning", "Start with the earliest record rather than the latest (when there is no committed offset).");
    private readonly Option<string> _group = new("--group") { Description = "The consumer group to join; offsets are committed." };
    private readonly Option<int?> _partition = new("--partition") { Description = "Read only this partition (from the end, unless --offset or --from-beginning says otherwise)." };
    private readonly Option<string> _offset = new("--offset") { Description = "With --partition: earliest, latest, or an offset." };
    private readonly Option<int?> _maxMessages = new("--max-messages") { Description = "Exit after printing this many records." };
    private readonly Option<int?> _timeoutMs = new("--timeout-ms") { Description = "Exit when no record arrives for this many milliseconds." };
    private readonly Option<string[]> _property = CommonOptions.Repeatable("--property",
        "A formatter property: print.timestamp, print.key, print.offset, print.partition, print.headers, print.value, key.separator, line.separator, headers.separator, null.literal.");
    private readonly Option<string[]> _consumerProperty = CommonOptions.Repeatable("--consumer-property", "A consumer setting: client.id, group.id, auto.offset.reset.");

    public Command Build(CliConsole console)
    {
        var command = new Command("console-consumer", "Print a topic's records to standard output (kafka-console-consumer.sh).")
        {
            _bootstrap, _topic, _fromBeginning, _group, _partition, _offset, _maxMessages, _timeoutMs, _property, _consumerProperty,
        };
        command.SetVerbAction(console, (parsed, cancellationToken) => RunAsync(parsed, console, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        var settings = KeyValueArguments.Parse(parsed.GetValue(_consumerProperty), "--consumer-property");
        string? group = parsed.GetValue(_group) ?? (settings.TryGetValue("group.id", out string? fromSettings) ? fromSettings : null);
        StartPosition start = Validate(parsed, group, settings);
        var formatter = new RecordFormatter(KeyValueArguments.Parse(parsed.GetValue(_property), "--property"));
        await using var cluster = new ClusterClient(CommonOptions.Client(parsed.GetRequiredValue(_bootstrap), KeyValueArguments.Get(settings, "client.id", "console-consumer")));
        var consumerOptions = new ConsumerOptions { AutoOffsetReset = start.Reset };
        IRecordSource source = group is null
            ? await DirectSource.OpenAsync(cluster, parsed.GetRequiredValue(_topic), parsed.GetValue(_partition), start, consumerOptions, cancellationToken)
            : new GroupSource(cluster, group, parsed.GetRequiredValue(_topic), consumerOptions);
        int processed = 0;
        try
        {
            processed = await PrintAsync(source, formatter, parsed.GetValue(_maxMessages), parsed.GetValue(_timeoutMs), console, cancellationToken);
        }
        finally
        {
            await source.DisposeAsync();
            await console.Error.WriteLineAsync($"Processed a total of {processed} messages");
        }
        return VerbAction.Success;
    }

    /// <summary>Polls and prints until --max-messages, --timeout-ms or Ctrl-C; returns how many records were printed.</summary>
    private static async Task<int> PrintAsync(IRecordSource source, RecordFormatter formatter, int? maxMessages, int? timeoutMs, CliConsole console, CancellationToken cancellationToken)
    {
        int processed = 0;
        long lastRecordAtMs = Environment.TickCount64;
        try
        {
            while (maxMessages is not int max || processed < max)
            {
                IReadOnlyList<ConsumerRecord> records = await source.PollAsync(cancellationToken);
                foreach (ConsumerRecord record in records.Take(maxMessages is int limit ? limit - processed : int.MaxValue))
                {
                    await console.Out.WriteAsync(formatter.Format(record));
                    processed++;
                }
                await console.Out.FlushAsync(cancellationToken);
                if (records.Count > 0) lastRecordAtMs = Environment.TickCount64;
                else if (timeoutMs is int timeout && Environment.TickCount64 - lastRecordAtMs >= timeout) break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C ends the run as Kafka's shutdown hook does: close cleanly and report the count.
        }
        return processed;
    }

    private StartPosition Validate(ParseResult parsed, string? group, IReadOnlyDictionary<string, string> settings)
    {
        bool fromBeginning = parsed.GetValue(_fromBeginning);
        string? offset = parsed.GetValue(_offset);
        int? partition = parsed.GetValue(_partition);
        if (offset is not null && partition is null) throw new CliUsageException("The partition is required when offset is specified.");
        if (offset is not null && fromBeginning) throw new CliUsageException("Options from-beginning and offset cannot be specified together.");
        if (group is not null && partition is not null) throw new CliUsageException("Options group and partition cannot be specified together.");
        OffsetReset reset = fromBeginning ? OffsetReset.Earliest
            : KeyValueArguments.Get(settings, "auto.offset.reset", "latest") switch
            {
                "earliest" => OffsetReset.Earliest,
                "none" => OffsetReset.None,
                _ => OffsetReset.Latest,
            };
        OffsetSpec spec = offset switch
        {
            null => reset == OffsetReset.Earliest ? OffsetSpec.Earliest : OffsetSpec.Latest,
            "earliest" => OffsetSpec.Earliest,
            "latest" => OffsetSpec.Latest,
            _ when long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out long exact) => OffsetSpec.At(exact),
            _ => throw new CliUsageException($"--offset '{offset}' is not earliest, latest or a non-negative number"),
        };
        return new StartPosition(spec, reset);
    }

    /// <summary>Where a run starts: the spec for directly read partitions, and the reset policy for a group's.</summary>
    private sealed record StartPosition(OffsetSpec Spec, OffsetReset Reset);

    /// <summary>Where records come from: partitions read directly, or a group's assignment.</summary>
    private interface IRecordSource : IAsyncDisposable
    {
        Task<IReadOnlyList<ConsumerRecord>> PollAsync(CancellationToken cancellationToken);
    }

    private sealed class DirectSource(KafkaConsumer consumer) : IRecordSource
    {
        public static async Task<DirectSource> OpenAsync(
            ClusterClient cluster, string topic, int? partition, StartPosition start, ConsumerOptions options, CancellationToken cancellationToken)
        {
            var metadata = await cluster.RefreshMetadataAsync([topic], allowAutoTopicCreation: false, cancellationToken);
            var described = metadata.Topic(topic);
            if (described is not { Error: Client.Errors.ErrorCode.None })
                throw new Client.Errors.KafkaClientException($"Topic '{topic}' does not exist: create it with `kraft topics --create --topic {topic}`.");
            var partitions = described.Partitions.Select(p => new TopicPartition(topic, p.Partition))
                .Where(p => partition is null || p.Partition == partition).ToList();
            if (partitions.Count == 0)
                throw new Client.Errors.KafkaClientException($"Topic '{topic}' has no partition {partition}: it has {described.Partitions.Count}.");
            var consumer = new KafkaConsumer(cluster, options);
            consumer.Assign(partitions);
            await consumer.SeekAsync(partitions, start.Spec, cancellationToken);
            return new DirectSource(consumer);
        }

        public Task<IReadOnlyList<ConsumerRecord>> PollAsync(CancellationToken cancellationToken) => consumer.PollAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class GroupSource : IRecordSource
    {
        private readonly GroupConsumer _consumer;

        public GroupSource(ClusterClient cluster, string group, string topic, ConsumerOptions options)
        {
            _consumer = new GroupConsumer(cluster, group, new GroupConsumerOptions { Fetch = options });
            _consumer.Subscribe([topic]);
        }

        public Task<IReadOnlyList<ConsumerRecord>> PollAsync(CancellationToken cancellationToken) => _consumer.PollAsync(cancellationToken);

        /// <summary>Commits and leaves the group, even after Ctrl-C (with its own time bound).</summary>
        public ValueTask DisposeAsync() => _consumer.DisposeAsync();
    }
}
