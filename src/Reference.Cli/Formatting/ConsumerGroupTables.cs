using System.Globalization;
using System.Text;

namespace Reference.Cli.Formatting;

/// <summary>One row of `--describe --offsets`; null columns print as "-".</summary>
public sealed record PartitionOffsetRow(
    string Group, string? Topic, int? Partition, long? CurrentOffset, long? LogEndOffset, string? ConsumerId, string? Host, string? ClientId)
{
    /// <summary>Kafka's lag: log end minus committed, unknown unless both are known.</summary>
    public long? Lag => CurrentOffset is long current && LogEndOffset is long end ? end - current : null;
}

/// <summary>One row of `--describe --members`.</summary>
public sealed record MemberRow(string Group, string ConsumerId, string GroupInstanceId, string Host, string ClientId, int PartitionCount);

/// <summary>The row of `--describe --state`.</summary>
public sealed record GroupStateRow(string Group, string CoordinatorHost, int CoordinatorPort, int CoordinatorId, string AssignmentStrategy, string State, int MemberCount);

/// <summary>One row of `--reset-offsets`.</summary>
public sealed record ResetOffsetRow(string Group, string Topic, int Partition, long NewOffset);

/// <summary>
/// `kafka-consumer-groups.sh` tables with Kafka's column layouts (ConsumerGroupCommand, GroupOffsetsResetter):
/// printf-style left-justified columns whose widths grow with the longest value, a blank line before the
/// header, "-" for a missing value.
/// </summary>
public static class ConsumerGroupTables
{
    public const string Missing = "-";

    /// <summary>The `--describe` (and `--offsets`) table: each row starts on a new line, the table ends with one.</summary>
    public static string Offsets(IReadOnlyList<PartitionOffsetRow> rows)
    {
        int group = Width(15, rows.Select(r => r.Group));
        int topic = Width(15, rows.Select(r => r.Topic ?? Missing));
        int consumer = Width(15, rows.Select(r => r.ConsumerId ?? Missing));
        int host = Width(15, rows.Select(r => r.Host ?? Missing));
        int[] widths = [group, topic, 10, 15, 15, 15, consumer, host];
        var text = new StringBuilder();
        text.Append('\n').Append(Row(widths, "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"));
        foreach (PartitionOffsetRow row in rows)
        {
            text.Append('\n').Append(Row(widths, row.Group, row.Topic ?? Missing, Show(row.Partition), Show(row.CurrentOffset),
                Show(row.LogEndOffset), Show(row.Lag), row.ConsumerId ?? Missing, row.Host ?? Missing, row.ClientId ?? Missing));
        }
        return text.Append('\n').ToString();
    }

    /// <summary>The `--members` table. GROUP-INSTANCE-ID appears only when some member is static; every cell, the last too, is followed by a space.</summary>
    public static string Members(IReadOnlyList<MemberRow> rows)
    {
        bool withInstanceId = rows.Any(r => r.GroupInstanceId.Length > 0);
        int group = Width(15, rows.Select(r => r.Group));
        int consumer = Width(15, rows.Select(r => r.ConsumerId));
        int instance = Width(17, rows.Select(r => r.GroupInstanceId));
        int host = Width(15, rows.Select(r => r.Host));
        int client = Width(15, rows.Select(r => r.ClientId));
        int[] widths = withInstanceId ? [group, consumer, instance, host, client, 15] : [group, consumer, host, client, 15];
        string[] header = withInstanceId
            ? ["GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS"]
            : ["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"];
        var text = new StringBuilder("\n").Append(PaddedRow(widths, header)).Append('\n');
        foreach (MemberRow row in rows)
        {
            string count = row.PartitionCount.ToString(CultureInfo.InvariantCulture);
            string[] cells = withInstanceId
                ? [row.Group, row.ConsumerId, row.GroupInstanceId, row.Host, row.ClientId, count]
                : [row.Group, row.ConsumerId, row.Host, row.ClientId, count];
            text.Append(PaddedRow(widths, cells)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The `--state` table: header and one row, each after a newline, then a newline.</summary>
    public static string State(GroupStateRow row)
    {
        string coordinator = $"{row.CoordinatorHost}:{row.CoordinatorPort}  ({row.CoordinatorId})";
        int[] widths = [Math.Max(15, row.Group.Length), Math.Max(25, coordinator.Length), 20, 20];
        string strategy = row.AssignmentStrategy.Length == 0 ? Missing : row.AssignmentStrategy;
        return "\n" + Row(widths, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS")
            + "\n" + Row(widths, row.Group, coordinator, strategy, row.State, row.MemberCount.ToString(CultureInfo.InvariantCulture))
            + "\n";
    }

    /// <summary>The `--reset-offsets` plan (GroupOffsetsResetter.printOffsetsToReset).</summary>
    public static string ResetPlan(IReadOnlyList<ResetOffsetRow> rows)
    {
        int[] widths = [Width(15, rows.Select(r => r.Group)), Width(15, rows.Select(r => r.Topic)), 10];
        var text = new StringBuilder();
        if (rows.Count > 0) text.Append('\n').Append(Row(widths, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"));
        foreach (ResetOffsetRow row in rows)
            text.Append('\n').Append(Row(widths, row.Group, row.Topic, Show(row.Partition), Show(row.NewOffset)));
        return text.Append('\n').ToString();
    }

    /// <summary>Cells separated by one space, each but the last padded to its width.</summary>
    private static string Row(int[] widths, params string[] cells)
    {
        var text = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) text.Append(' ');
            text.Append(i < widths.Length ? cells[i].PadRight(widths[i]) : cells[i]);
        }
        return text.ToString();
    }

    /// <summary>Every cell padded and followed by a space (Kafka's members format ends in "%-15s ").</summary>
    private static string PaddedRow(int[] widths, string[] cells) =>
        string.Concat(cells.Select((cell, i) => cell.PadRight(widths[i]) + " "));

    private static int Width(int minimum, IEnumerable<string> values) => values.Select(v => v.Length).Append(minimum).Max();

    private static string Show(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Missing;

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Missing;
}
