using System.Globalization;
using System.Text;

namespace Reference.Simulation.Workload.Data;

/// <summary>
/// The data workload's operations as they stand in the <see cref="History"/>: an operation name and a value of
/// <c>key=value</c> words, so a trace shows them plainly and spec/'s history checks read them back with
/// <see cref="Parse"/>. One format for writer and reader, so the two cannot drift apart.
/// <list type="bullet">
/// <item><c>send</c>: <c>p=0 value=c3-17 acks=-1 idempotent=1 min-isr=2</c> (the topic's min.insync.replicas as the
/// workload created it); ok adds <c>offset=42</c>; fail and info add <c>error=...</c>;</item>
/// <item><c>poll</c>: <c>p=0 from=5</c>; ok adds <c>hw=9 records=5:c1-3,6:c1-4</c> (every record at or past <c>from</c>, in offset order);</item>
/// <item><c>commit</c>: <c>p=0 offset=6</c> (group <see cref="GroupId"/>);</item>
/// <item><c>fetch-offset</c>: <c>p=0</c>; ok adds <c>offset=6</c> (-1: nothing committed) and <c>node=2</c>, the coordinator
/// that answered (older traces have no <c>node</c>).</item>
/// </list>
/// </summary>
public sealed record DataOperation(string Name, int Partition, IReadOnlyDictionary<string, string> Fields)
{
    public const string Send = "send";
    public const string Poll = "poll";
    public const string Commit = "commit";
    public const string FetchOffset = "fetch-offset";

    /// <summary>The topic every data workload client writes and reads.</summary>
    public const string Topic = "workload-data";

    /// <summary>The consumer group whose offsets the consumer commits.</summary>
    public const string GroupId = "workload-group";

    /// <summary>Records listed in one poll at most (the consumer asks for no more bytes than this many small records take).</summary>
    public const int RecordsPerPollMax = 1_000;

    public long? Offset => Long("offset");

    public string? Value => Fields.GetValueOrDefault("value");

    public short Acks => (short)(Long("acks") ?? 1);

    public bool Idempotent => Fields.GetValueOrDefault("idempotent") == "1";

    /// <summary>The node that answered a fetch-offset; null when the entry names none.</summary>
    public int? Node => Long("node") is long node ? (int)node : null;

    /// <summary>The topic's min.insync.replicas a send names; null when it names none.</summary>
    public int? MinInsyncReplicas => Long("min-isr") is long value ? (int)value : null;

    public long From => Long("from") ?? 0;

    public long? HighWatermark => Long("hw");

    public string? Error => Fields.GetValueOrDefault("error");

    /// <summary>The records a poll returned, (offset, value) in the order they came.</summary>
    public IReadOnlyList<(long Offset, string Value)> Records()
    {
        string? text = Fields.GetValueOrDefault("records");
        if (string.IsNullOrEmpty(text)) return [];
        var records = new List<(long, string)>();
        foreach (string pair in text.Split(',', RecordsPerPollMax + 1))
        {
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            records.Add((long.Parse(pair.AsSpan(0, colon), CultureInfo.InvariantCulture), pair[(colon + 1)..]));
        }
        return records;
    }

    private long? Long(string key) =>
        Fields.TryGetValue(key, out string? text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary>Reads a history entry of the data workload back; null for any other workload's entry.</summary>
    public static DataOperation? Parse(HistoryEntry entry)
    {
        if (entry.Operation is not (Send or Poll or Commit or FetchOffset)) return null;
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string word in entry.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) fields[word[..equals]] = word[(equals + 1)..];
        }
        if (!fields.TryGetValue("p", out string? partition) || !int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return null;
        return new DataOperation(entry.Operation, index, fields);
    }

    /// <summary>Writes fields as the history value: <c>p</c> first, then in the order given. Values hold no spaces.</summary>
    public static string Format(int partition, params (string Key, object Value)[] fields)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"p={partition}"));
        foreach ((string key, object value) in fields)
            text.Append(CultureInfo.InvariantCulture, $" {key}={value}");
        return text.ToString();
    }

    /// <summary>A poll's records as <see cref="Format"/> takes them: <c>offset:value</c>, comma-separated.</summary>
    public static string FormatRecords(IEnumerable<(long Offset, string Value)> records) =>
        string.Join(',', records.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Offset}:{r.Value}")));
}
