using System.Text;
using Reference.Cli.Commands;
using Reference.Client.Records;

namespace Reference.Cli.Parsing;

/// <summary>
/// How `kafka-console-producer.sh` turns a line into a record (LineMessageReader): with parse.headers the
/// line starts with headers up to headers.delimiter, with parse.key a key up to key.separator; the rest
/// is the value. null.marker stands for a null key, value or header value.
/// </summary>
public sealed class LineRecordReader
{
    private readonly string _topic;
    private readonly bool _parseKey;
    private readonly string _keySeparator;
    private readonly bool _parseHeaders;
    private readonly string _headersDelimiter;
    private readonly string _headersSeparator;
    private readonly string _headersKeySeparator;
    private readonly string? _nullMarker;
    private readonly bool _ignoreError;

    public LineRecordReader(string topic, IReadOnlyDictionary<string, string> properties)
    {
        _topic = topic;
        _parseKey = KeyValueArguments.IsTrue(properties, "parse.key");
        _keySeparator = KeyValueArguments.Get(properties, "key.separator", "\t");
        _parseHeaders = KeyValueArguments.IsTrue(properties, "parse.headers");
        _headersDelimiter = KeyValueArguments.Get(properties, "headers.delimiter", "\t");
        _headersSeparator = KeyValueArguments.Get(properties, "headers.separator", ",");
        _headersKeySeparator = KeyValueArguments.Get(properties, "headers.key.separator", ":");
        _nullMarker = properties.TryGetValue("null.marker", out string? marker) ? marker : null;
        _ignoreError = KeyValueArguments.IsTrue(properties, "ignore.error");
        if (_nullMarker is not null && (_nullMarker == _keySeparator || _nullMarker == _headersDelimiter))
            throw new CliUsageException($"null.marker '{_nullMarker}' must differ from key.separator and headers.delimiter");
    }

    /// <summary>The record for line number <paramref name="lineNumber"/> (from 1).</summary>
    public ProducerRecord Read(string line, int lineNumber)
    {
        string? headers = Field(_parseHeaders, line, 0, _headersDelimiter, "headers delimiter", lineNumber);
        int headersEnd = headers is null ? 0 : headers.Length + _headersDelimiter.Length;
        string? key = Field(_parseKey, line, headersEnd, _keySeparator, "key separator", lineNumber);
        int keyEnd = key is null ? 0 : key.Length + _keySeparator.Length;
        string value = line[(headersEnd + keyEnd)..];
        return new ProducerRecord(_topic, Bytes(key), Bytes(value))
        {
            Headers = headers is null || headers == _nullMarker ? [] : SplitHeaders(headers, lineNumber),
        };
    }

    private string? Field(bool enabled, string line, int start, string separator, string separatorName, int lineNumber)
    {
        if (!enabled) return null;
        int end = line.IndexOf(separator, start, StringComparison.Ordinal);
        if (end >= 0) return line[start..end];
        if (_ignoreError) return null;
        throw new CliUsageException($"No {separatorName} found on line number {lineNumber}: '{line}'");
    }

    private List<RecordHeader> SplitHeaders(string headers, int lineNumber) =>
        headers.Split(_headersSeparator).Select(pair =>
        {
            int split = pair.IndexOf(_headersKeySeparator, StringComparison.Ordinal);
            if (split < 0)
            {
                if (_ignoreError) return new RecordHeader(pair, null);
                throw new CliUsageException($"No header key separator found in pair '{pair}' on line number {lineNumber}");
            }
            string key = pair[..split];
            if (key == _nullMarker) throw new CliUsageException($"Header keys should not be equal to the null marker '{_nullMarker}' as they can't be null");
            return new RecordHeader(key, Bytes(pair[(split + _headersKeySeparator.Length)..]));
        }).ToList();

    private byte[]? Bytes(string? text) => text is null || text == _nullMarker ? null : Encoding.UTF8.GetBytes(text);
}
