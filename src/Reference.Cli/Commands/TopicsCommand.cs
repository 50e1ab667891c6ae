using System.CommandLine;
using System.Text.RegularExpressions;
using Reference.Cli.Formatting;
using Reference.Cli.Parsing;
using Reference.Client.Admin;
using Reference.Client.Metadata;
using Reference.Client.Network;

namespace Reference.Cli.Commands;

/// <summary>`kraft topics`: kafka-topics.sh's --create, --list, --describe, --alter and --delete.</summary>
public sealed class TopicsCommand : ICliVerb
{
    private readonly Option<string> _bootstrap = CommonOptions.BootstrapServer();
    private readonly Option<bool> _create = CommonOptions.Flag("--create", "Create a new topic.");
    private readonly Option<bool> _list = CommonOptions.Flag("--list", "List all available topics.");
    private readonly Option<bool> _describe = CommonOptions.Flag("--describe", "List details for the given topics (all when --topic is left out).");
    private readonly Option<bool> _alter = CommonOptions.Flag("--alter", "Alter the number of partitions of a topic.");
    private readonly Option<bool> _delete = CommonOptions.Flag("--delete", "Delete a topic.");
    private readonly Option<string> _topic = new("--topic") { Description = "The topic to create, alter, describe or delete; a regular expression except with --create." };
    private readonly Option<int?> _partitions = new("--partitions") { Description = "The number of partitions of the topic being created or altered (the broker's num.partitions when left out)." };
    private readonly Option<short?> _replicationFactor = new("--replication-factor") { Description = "The replication factor of each partition of the topic being created (the broker's default when left out)." };
    private readonly Option<string[]> _config = CommonOptions.Repeatable("--config", "A topic configuration override, name=value; repeat for more.");
    private readonly Option<bool> _ifNotExists = CommonOptions.Flag("--if-not-exists", "With --create: do nothing if the topic already exists.");
    private readonly Option<bool> _ifExists = CommonOptions.Flag("--if-exists", "With --alter or --delete: do nothing if the topic does not exist.");
    private readonly Option<bool> _excludeInternal = CommonOptions.Flag("--exclude-internal", "With --list or --describe: leave out internal topics.");
    private readonly Option<int?> _partitionSizeLimit = new("--partition-size-limit-per-response")
    {
        Description = "With --describe: the most partitions one DescribeTopicPartitions response may carry (default 2000).",
    };

    public Command Build(CliConsole console)
    {
        var command = new Command("topics", "Create, delete, describe, or change a topic (kafka-topics.sh).")
        {
            _bootstrap, _create, _list, _describe, _alter, _delete, _topic, _partitions, _replicationFactor, _config,
            _ifNotExists, _ifExists, _excludeInternal, _partitionSizeLimit,
        };
        command.SetVerbAction(console, (parsed, cancellationToken) => RunAsync(parsed, console, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        var actions = new[] { _list, _describe, _create, _alter, _delete }.Where(o => parsed.GetValue(o)).ToList();
        if (actions.Count != 1)
            throw new CliUsageException("Command must include exactly one action: --list, --describe, --create, --alter or --delete");
        await using var cluster = new ClusterClient(CommonOptions.Client(parsed.GetRequiredValue(_bootstrap), "kraft-topics"));
        var admin = new AdminClient(cluster);
        Option<bool> action = actions[0];
        if (action == _list) await ListAsync(parsed, admin, console, cancellationToken);
        else if (action == _describe) await DescribeAsync(parsed, admin, console, cancellationToken);
        else if (action == _create) await CreateAsync(parsed, admin, console, cancellationToken);
        else if (action == _alter) await AlterAsync(parsed, admin, cancellationToken);
        else await DeleteAsync(parsed, admin, cancellationToken);
        return VerbAction.Success;
    }

    private async Task ListAsync(ParseResult parsed, AdminClient admin, CliConsole console, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> topics = await admin.ListTopicsAsync(!parsed.GetValue(_excludeInternal), cancellationToken);
        foreach (string topic in Matching(topics, parsed.GetValue(_topic))) await console.Out.WriteLineAsync(topic);
    }

    private async Task DescribeAsync(ParseResult parsed, AdminClient admin, CliConsole console, CancellationToken cancellationToken)
    {
        string? pattern = parsed.GetValue(_topic);
        int partitionsPerPage = parsed.GetValue(_partitionSizeLimit) ?? AdminClient.PartitionsPerPageDefault;
        if (partitionsPerPage < 1) throw new CliUsageException("--partition-size-limit-per-response must be at least 1");
        IReadOnlyList<string> names = await ExistingTopicsAsync(admin, pattern, !parsed.GetValue(_excludeInternal), requireMatch: pattern is not null, cancellationToken);
        if (names.Count == 0) return;
        IReadOnlyList<TopicMetadata> topics = await admin.DescribeTopicsAsync(names, partitionsPerPage, cancellationToken);
        var configs = await admin.DescribeTopicConfigsAsync(names, cancellationToken);
        foreach (TopicMetadata topic in topics)
        foreach (string line in TopicDescriptionFormat.Lines(topic, configs.TryGetValue(topic.Name, out var entries) ? entries : []))
            await console.Out.WriteLineAsync(line);
    }

    private async Task CreateAsync(ParseResult parsed, AdminClient admin, CliConsole console, CancellationToken cancellationToken)
    {
        string topic = RequireTopic(parsed, "--create");
        int? partitions = parsed.GetValue(_partitions);
        short? replicationFactor = parsed.GetValue(_replicationFactor);
        if (partitions is < 1) throw new CliUsageException("--partitions must be at least 1");
        if (replicationFactor is < 1) throw new CliUsageException("--replication-factor must be at least 1");
        if (topic.Contains('.') || topic.Contains('_'))
            await console.Out.WriteLineAsync("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.");
        var newTopic = new NewTopic(topic, partitions, replicationFactor) { Configs = KeyValueArguments.Parse(parsed.GetValue(_config), "--config") };
        try
        {
            await admin.CreateTopicAsync(newTopic, cancellationToken);
        }
        catch (Client.Errors.KafkaApiException exists) when (exists.Code == Client.Errors.ErrorCode.TopicAlreadyExists && parsed.GetValue(_ifNotExists))
        {
            return;
        }
        await console.Out.WriteLineAsync($"Created topic {topic}.");
    }

    private async Task AlterAsync(ParseResult parsed, AdminClient admin, CancellationToken cancellationToken)
    {
        string pattern = RequireTopic(parsed, "--alter");
        int partitions = parsed.GetValue(_partitions) ?? throw new CliUsageException("--alter needs --partitions N: the new total number of partitions");
        foreach (string topic in await ExistingTopicsAsync(admin, pattern, includeInternal: true, requireMatch: !parsed.GetValue(_ifExists), cancellationToken))
            await admin.CreatePartitionsAsync(topic, partitions, cancellationToken);
    }

    private async Task DeleteAsync(ParseResult parsed, AdminClient admin, CancellationToken cancellationToken)
    {
        string pattern = RequireTopic(parsed, "--delete");
        IReadOnlyList<string> topics = await ExistingTopicsAsync(admin, pattern, includeInternal: true, requireMatch: !parsed.GetValue(_ifExists), cancellationToken);
        if (topics.Count > 0) await admin.DeleteTopicsAsync(topics, cancellationToken);
    }

    private string RequireTopic(ParseResult parsed, string action) =>
        parsed.GetValue(_topic) is { Length: > 0 } topic ? topic : throw new CliUsageException($"{action} needs --topic NAME");

    /// <summary>The existing topics the pattern names; an error naming the pattern when none does and one must.</summary>
    private static async Task<IReadOnlyList<string>> ExistingTopicsAsync(
        AdminClient admin, string? pattern, bool includeInternal, bool requireMatch, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> matching = Matching(await admin.ListTopicsAsync(includeInternal, cancellationToken), pattern);
        if (matching.Count == 0 && requireMatch)
            throw new CliUsageException($"Topic '{pattern}' does not exist as expected; list the topics with --list");
        return matching;
    }

    /// <summary>Kafka matches --topic as a whole-name regular expression (its IncludeList); an invalid one is taken literally.</summary>
    public static IReadOnlyList<string> Matching(IReadOnlyList<string> topics, string? pattern)
    {
        if (pattern is null) return topics;
        try
        {
            var regex = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return topics.Where(t => regex.IsMatch(t)).ToList();
        }
        catch (ArgumentException)
        {
            return topics.Where(t => t == pattern).ToList();
        }
    }
}
