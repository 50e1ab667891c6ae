using System.Text;
using Reference.Cli.Parsing;
using Reference.Client.Records;

namespace Reference.Cli.Formatting;

/// <summary>
/// How `kafka-console-consumer.sh` prints a record (DefaultMessageFormatter): optional timestamp,
/// partition, offset, headers and key, each followed by key.separator, then the value and line.separator.
/// </summary>
public sealed class RecordFormatter
{
    private readonly bool _printTimestamp;
    private readonly bool _printPartition;
    private readonly bool _printOffset;
    private readonly bool _printHeaders;
    private readonly bool _printKey;
    private readonly bool _printValue;
    private readonly string _keySeparator;
    private readonly string _lineSeparator;
    private readonly string _headersSeparator;
    private readonly string _nullLiteral;

    /// <param name="properties">The --property values: print.timestamp, print.key, key.separator, ...</param>
    public RecordFormatter(IReadOnlyDictionary<string, string> properties)
    {
        _printTimestamp = KeyValueArguments.IsTrue(properties, "print.timestamp");
        _printPartition = KeyValueArguments.IsTrue(properties, "print.partition");
        _printOffset = KeyValueArguments.IsTrue(properties, "print.offset");
        _printHeaders = KeyValueArguments.IsTrue(properties, "print.headers");
        _printKey = KeyValueArguments.IsTrue(properties, "print.key");
        _printValue = !properties.ContainsKey("print.value") || KeyValueArguments.IsTrue(properties, "print.value");
        _keySeparator = KeyValueArguments.Get(properties, "key.separator", "\t");
        _lineSeparator = KeyValueArguments.Get(properties, "line.separator", "\n");
        _headersSeparator = KeyValueArguments.Get(properties, "headers.separator", ",");
        _nullLiteral = KeyValueArguments.Get(properties, "null.literal", "null");
    }

    public string Format(ConsumerRecord record)
    {
        var text = new StringBuilder();
        // After each field: the key separator when another field follows, else the line separator.
        if (_printTimestamp)
        {
            text.Append(record.TimestampType).Append(':').Append(record.TimestampMs);
            Separate(text, _printPartition || _printOffset || _printHeaders || _printKey || _printValue);
        }
        if (_printPartition)
        {
            text.Append("Partition:").Append(record.Partition);
            Separate(text, _printOffset || _printHeaders || _printKey || _printValue);
        }
        if (_printOffset)
        {
            text.Append("Offset:").Append(record.Offset);
            Separate(text, _printHeaders || _printKey || _printValue);
        }
        if (_printHeaders)
        {
            text.Append(record.Headers.Count == 0
                ? "NO_HEADERS"
                : string.Join(_headersSeparator, record.Headers.Select(h => $"{h.Key}:{Text(h.Value)}")));
            Separate(text, _printKey || _printValue);
        }
        if (_printKey)
        {
            text.Append(Text(record.Key));
            Separate(text, _printValue);
        }
        if (_printValue) text.Append(Text(record.Value)).Append(_lineSeparator);
        return text.ToString();
    }

    private void Separate(StringBuilder text, bool anotherFieldFollows) => text.Append(anotherFieldFollows ? _keySeparator : _lineSeparator);

    private string Text(byte[]? bytes) => bytes is null ? _nullLiteral : Encoding.UTF8.GetString(bytes);
}
