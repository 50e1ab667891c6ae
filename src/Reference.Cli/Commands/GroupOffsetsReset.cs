using System.Globalization;
using Reference.Cli.Formatting;
using Reference.Client;
using Reference.Client.Admin;
using Reference.Client.Errors;

namespace Reference.Cli.Commands;

/// <summary>
/// `consumer-groups --reset-offsets` (Kafka's GroupOffsetsResetter): works out each partition's new offset,
/// kept within the log's earliest and latest offsets, prints the plan, and commits it with --execute. Only
/// an inactive group (Empty or Dead) can be reset, or its members would overwrite the new offsets.
/// </summary>
public sealed class GroupOffsetsReset(AdminClient admin, CliConsole console)
{
    /// <summary>Where the new offset comes from.</summary>
    public abstract record Scenario
    {
        public sealed record ToEarliest : Scenario;

        public sealed record ToLatest : Scenario;

        public sealed record ToOffset(long Offset) : Scenario;

        public sealed record ShiftBy(long Shift) : Scenario;
    }

    /// <param name="Topics">topic or topic:0,1 entries; ignored with <paramref name="AllTopics"/>.</param>
    public sealed record Request(IReadOnlyList<string> Groups, IReadOnlyList<string> Topics, bool AllTopics, Scenario Scenario, bool Execute, bool DryRun);

    public async Task<int> RunAsync(Request request, CancellationToken cancellationToken)
    {
        if (!request.Execute && !request.DryRun)
            await console.Error.WriteLineAsync("WARN: No action will be performed as the --execute option is missing. Add --dry-run to show the plan without this warning, or --execute to apply it.");
        var plan = new List<ResetOffsetRow>();
        bool allReset = true;
        foreach (string group in request.Groups)
        {
            GroupDescription description = await admin.DescribeGroupAsync(group, cancellationToken);
            if (description.State is not ("Empty" or "Dead"))
            {
                await console.Error.WriteLineAsync($"Error: Assignments can only be reset if the group '{group}' is inactive, but the current state is {description.State}.");
                allReset = false;
                continue;
            }
            var committed = await admin.FetchCommittedOffsetsAsync(group, null, cancellationToken);
            IReadOnlyList<TopicPartition> partitions = request.AllTopics ? committed.Keys.Order().ToList() : await PartitionsAsync(request.Topics, cancellationToken);
            SortedDictionary<TopicPartition, long> offsets = await NewOffsetsAsync(partitions, request.Scenario, committed, cancellationToken);
            if (request.Execute) await admin.CommitOffsetsAsync(group, offsets, cancellationToken);
            plan.AddRange(offsets.Select(o => new ResetOffsetRow(group, o.Key.Topic, o.Key.Partition, o.Value)));
        }
        await console.Out.WriteAsync(ConsumerGroupTables.ResetPlan(plan));
        return allReset ? VerbAction.Success : VerbAction.Failure;
    }

    /// <summary>The partitions named by topic (all of them) or topic:0,1 entries.</summary>
    private async Task<IReadOnlyList<TopicPartition>> PartitionsAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        var partitions = new SortedSet<TopicPartition>();
        var wholeTopics = new List<string>();
        foreach (string entry in topics)
        {
            string[] parts = entry.Split(':');
            if (parts.Length == 1)
            {
                wholeTopics.Add(entry);
                continue;
            }
            if (parts.Length != 2) throw new CliUsageException($"Invalid topic arg '{entry}', expected topic name and partitions");
            foreach (string partition in parts[1].Split(','))
            {
                if (!int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                    throw new CliUsageException($"Invalid partition '{partition}' specified in topic arg '{entry}'");
                partitions.Add(new TopicPartition(parts[0], index));
            }
        }
        if (wholeTopics.Count > 0)
        {
            foreach (var topic in await admin.DescribeTopicsAsync(wholeTopics, cancellationToken))
            {
                if (topic.Error != ErrorCode.None) throw KafkaApiException.From(topic.Error, $"Topic '{topic.Name}' cannot be reset");
                foreach (var partition in topic.Partitions) partitions.Add(new TopicPartition(topic.Name, partition.Partition));
            }
        }
        return partitions.ToList();
    }

    private async Task<SortedDictionary<TopicPartition, long>> NewOffsetsAsync(
        IReadOnlyList<TopicPartition> partitions, Scenario scenario, IReadOnlyDictionary<TopicPartition, long> committed, CancellationToken cancellationToken)
    {
        var offsets = new SortedDictionary<TopicPartition, long>();
        if (partitions.Count == 0) return offsets;
        var earliest = await admin.ListOffsetsAsync(partitions, OffsetSpec.Earliest, cancellationToken);
        var latest = await admin.ListOffsetsAsync(partitions, OffsetSpec.Latest, cancellationToken);
        foreach (TopicPartition partition in partitions)
        {
            long wanted = scenario switch
            {
                Scenario.ToEarliest => earliest[partition],
                Scenario.ToLatest => latest[partition],
                Scenario.ToOffset to => to.Offset,
                Scenario.ShiftBy shift => committed.TryGetValue(partition, out long current)
                    ? current + shift.Shift
                    : throw new CliUsageException($"Cannot shift offset for partition {partition} since there is no current committed offset"),
                _ => throw new InvalidOperationException($"unknown scenario {scenario}"),
            };
            offsets[partition] = Math.Clamp(wanted, earliest[partition], Math.Max(earliest[partition], latest[partition]));
        }
        return offsets;
    }
}
