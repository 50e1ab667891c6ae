using System.CommandLine;
using Reference.Cli.Formatting;
using Reference.Client;
using Reference.Client.Admin;
using Reference.Client.Errors;
using Reference.Client.Network;

namespace Reference.Cli.Commands;

/// <summary>`kraft consumer-groups`: kafka-consumer-groups.sh's --list, --describe, --reset-offsets and --delete.</summary>
public sealed class ConsumerGroupsCommand : ICliVerb
{
    private readonly Option<string> _bootstrap = CommonOptions.BootstrapServer();
    private readonly Option<bool> _list = CommonOptions.Flag("--list", "List all consumer groups.");
    private readonly Option<bool> _describe = CommonOptions.Flag("--describe", "Describe a group: its partitions' offsets and lag (or --members, --state).");
    private readonly Option<bool> _delete = CommonOptions.Flag("--delete", "Delete a group (it must have no active members).");
    private readonly Option<bool> _resetOffsets = CommonOptions.Flag("--reset-offsets", "Reset a group's committed offsets (the group must be inactive).");
    private readonly Option<string[]> _group = CommonOptions.Repeatable("--group", "The consumer group; repeat for more.");
    private readonly Option<string[]> _topic = CommonOptions.Repeatable("--topic", "With --reset-offsets: a topic, or topic:0,1 for some of its partitions; repeat for more.");
    private readonly Option<bool> _allTopics = CommonOptions.Flag("--all-topics", "With --reset-offsets: every topic the group has offsets for.");
    private readonly Option<bool> _members = CommonOptions.Flag("--members", "With --describe: the group's members.");
    private readonly Option<bool> _state = CommonOptions.Flag("--state", "With --describe: the group's state.");
    private readonly Option<bool> _offsets = CommonOptions.Flag("--offsets", "With --describe: the group's offsets and lag (the default).");
    private readonly Option<bool> _toEarliest = CommonOptions.Flag("--to-earliest", "Reset to the earliest offset.");
    private readonly Option<bool> _toLatest = CommonOptions.Flag("--to-latest", "Reset to the latest offset.");
    private readonly Option<long?> _toOffset = new("--to-offset") { Description = "Reset to this offset (kept within the log)." };
    private readonly Option<long?> _shiftBy = new("--shift-by") { Description = "Move the committed offset by this many (negative goes back)." };
    private readonly Option<bool> _execute = CommonOptions.Flag("--execute", "Carry out the reset.");
    private readonly Option<bool> _dryRun = CommonOptions.Flag("--dry-run", "Only show the reset (the default).");

    public Command Build(CliConsole console)
    {
        var command = new Command("consumer-groups", "List, describe, reset or delete consumer groups (kafka-consumer-groups.sh).")
        {
            _bootstrap, _list, _describe, _delete, _resetOffsets, _group, _topic, _allTopics, _members, _state, _offsets,
            _toEarliest, _toLatest, _toOffset, _shiftBy, _execute, _dryRun,
        };
        command.SetVerbAction(console, (parsed, cancellationToken) => RunAsync(parsed, console, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        var actions = new[] { _list, _describe, _delete, _resetOffsets }.Where(o => parsed.GetValue(o)).ToList();
        if (actions.Count != 1)
            throw new CliUsageException("Command must include exactly one action: --list, --describe, --delete, --reset-offsets");
        string[] groups = parsed.GetValue(_group) ?? [];
        if (actions[0] != _list && groups.Length == 0) throw new CliUsageException($"{actions[0].Name} needs --group GROUP");
        await using var cluster = new ClusterClient(CommonOptions.Client(parsed.GetRequiredValue(_bootstrap), "kraft-consumer-groups"));
        var admin = new AdminClient(cluster);
        if (actions[0] == _list)
        {
            foreach (GroupListing group in await admin.ListGroupsAsync(cancellationToken)) await console.Out.WriteLineAsync(group.GroupId);
            return VerbAction.Success;
        }
        if (actions[0] == _delete) return await DeleteAsync(admin, groups, console, cancellationToken);
        if (actions[0] == _resetOffsets) return await new GroupOffsetsReset(admin, console).RunAsync(ResetRequest(parsed, groups), cancellationToken);
        bool allPrinted = true;
        foreach (string group in groups.Distinct().Order(StringComparer.Ordinal))
            allPrinted &= await DescribeAsync(parsed, admin, group, console, cancellationToken);
        return allPrinted ? VerbAction.Success : VerbAction.Failure;
    }

    /// <summary>Prints one group; false when the group does not exist.</summary>
    private async Task<bool> DescribeAsync(ParseResult parsed, AdminClient admin, string groupId, CliConsole console, CancellationToken cancellationToken)
    {
        GroupDescription group = await admin.DescribeGroupAsync(groupId, cancellationToken);
        if (parsed.GetValue(_state))
            return await PrintIfPresentAsync(group, 1, console, () => ConsumerGroupTables.State(ConsumerGroupRows.State(group)));
        if (parsed.GetValue(_members))
        {
            var members = ConsumerGroupRows.Members(group);
            return await PrintIfPresentAsync(group, members.Count, console, () => ConsumerGroupTables.Members(members));
        }
        var committed = await admin.FetchCommittedOffsetsAsync(groupId, null, cancellationToken);
        var partitions = group.Members.SelectMany(m => m.Assignment).Concat(committed.Keys).Distinct().ToList();
        var logEnds = partitions.Count == 0
            ? new Dictionary<TopicPartition, long>()
            : await admin.ListOffsetsAsync(partitions, OffsetSpec.Latest, cancellationToken);
        var rows = ConsumerGroupRows.Offsets(group, committed, logEnds);
        return await PrintIfPresentAsync(group, rows.Count, console, () => ConsumerGroupTables.Offsets(rows));
    }

    /// <summary>
    /// Kafka's shouldPrintMemberState: a Dead group does not exist; an empty or rebalancing one gets a
    /// note on stderr; the table prints only when it has rows.
    /// </summary>
    private static async Task<bool> PrintIfPresentAsync(GroupDescription group, int rowCount, CliConsole console, Func<string> table)
    {
        switch (group.State)
        {
            case "Dead":
                await console.Error.WriteLineAsync($"Error: Consumer group '{group.GroupId}' does not exist.");
                return false;
            case "Empty":
                await console.Error.WriteLineAsync($"\nConsumer group '{group.GroupId}' has no active members.");
                break;
            case "PreparingRebalance" or "CompletingRebalance" or "Assigning" or "Reconciling":
                await console.Error.WriteLineAsync($"\nWarning: Consumer group '{group.GroupId}' is rebalancing.");
                break;
        }
        if (rowCount > 0) await console.Out.WriteAsync(table());
        return true;
    }

    private static async Task<int> DeleteAsync(AdminClient admin, string[] groups, CliConsole console, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, ErrorCode> results = await admin.DeleteGroupsAsync(groups.Distinct().ToList(), cancellationToken);
        var failed = results.Where(r => r.Value != ErrorCode.None).ToList();
        var deleted = results.Where(r => r.Value == ErrorCode.None).Select(r => $"'{r.Key}'").ToList();
        if (failed.Count == 0)
        {
            await console.Out.WriteLineAsync($"Deletion of requested consumer groups ({string.Join(", ", deleted)}) was successful.");
            return VerbAction.Success;
        }
        await console.Error.WriteLineAsync("Error: Deletion of some consumer groups failed:");
        foreach (var (group, error) in failed)
        {
            string hint = error == ErrorCode.NonEmptyGroup ? " Stop its consumers first." : "";
            await console.Error.WriteLineAsync($"* Group '{group}' could not be deleted due to: {ErrorCodes.Describe(error)} ({error}){hint}");
        }
        if (deleted.Count > 0) await console.Out.WriteLineAsync($"\nThese consumer groups were deleted successfully: {string.Join(", ", deleted)}");
        return VerbAction.Failure;
    }

    private GroupOffsetsReset.Request ResetRequest(ParseResult parsed, string[] groups)
    {
        var scenarios = new List<GroupOffsetsReset.Scenario>();
        if (parsed.GetValue(_toEarliest)) scenarios.Add(new GroupOffsetsReset.Scenario.ToEarliest());
        if (parsed.GetValue(_toLatest)) scenarios.Add(new GroupOffsetsReset.Scenario.ToLatest());
        if (parsed.GetValue(_toOffset) is long offset) scenarios.Add(new GroupOffsetsReset.Scenario.ToOffset(offset));
        if (parsed.GetValue(_shiftBy) is long shift) scenarios.Add(new GroupOffsetsReset.Scenario.ShiftBy(shift));
        if (scenarios.Count != 1)
            throw new CliUsageException("Option '--reset-offsets' requires exactly one of the following scenarios: --to-earliest, --to-latest, --to-offset, --shift-by");
        string[] topics = parsed.GetValue(_topic) ?? [];
        bool allTopics = parsed.GetValue(_allTopics);
        if (topics.Length == 0 == !allTopics) throw new CliUsageException("One of the reset scopes should be defined: --all-topics, --topic.");
        if (parsed.GetValue(_execute) && parsed.GetValue(_dryRun)) throw new CliUsageException("Options --execute and --dry-run cannot be used together.");
        return new GroupOffsetsReset.Request(groups.Distinct().Order(StringComparer.Ordinal).ToList(), topics, allTopics, scenarios[0], parsed.GetValue(_execute), parsed.GetValue(_dryRun));
    }
}
