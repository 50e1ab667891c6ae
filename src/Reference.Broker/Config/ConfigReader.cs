using System.Globalization;

namespace Reference.Broker.Config;

/// <summary>
/// Typed reads of a properties file's entries that turn a bad value into one line naming the key and the
/// fix, instead of an exception. Remembers which keys were read, so the ones nobody read can be reported.
/// </summary>
internal sealed class ConfigReader
{
    private readonly Dictionary<string, PropertyEntry> _entries;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ConfigReader(IEnumerable<PropertyEntry> entries)
    {
        _entries = entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
    }

    public List<string> Errors { get; } = [];

    public bool Has(string key)
    {
        _read.Add(key);
        return _entries.ContainsKey(key);
    }

    /// <summary>The value with surrounding blanks removed, or null when the key is absent.</summary>
    public string? String(string key)
    {
        _read.Add(key);
        return _entries.TryGetValue(key, out PropertyEntry entry) ? entry.Value.Trim() : null;
    }

    /// <summary>A comma-separated list with blank items dropped; empty when the key is absent.</summary>
    public IReadOnlyList<string> List(string key) =>
        (String(key) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public long Long(string key, long defaultValue, long min, long max = long.MaxValue)
    {
        string? text = String(key);
        if (text is null) return defaultValue;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            Fail(key, text, $"it is not a whole number; write e.g. {key}={defaultValue}");
            return defaultValue;
        }
        if (value < min || value > max)
        {
            Fail(key, text, max == long.MaxValue ? $"it must be at least {min}" : $"it must be between {min} and {max}");
            return defaultValue;
        }
        return value;
    }

    public int Int(string key, int defaultValue, int min, int max = int.MaxValue) => (int)Long(key, defaultValue, min, max);

    public short Short(string key, short defaultValue, short min) => (short)Long(key, defaultValue, min, short.MaxValue);

    public bool Bool(string key, bool defaultValue)
    {
        string? text = String(key);
        if (text is null) return defaultValue;
        if (bool.TryParse(text, out bool value)) return value;
        Fail(key, text, $"write {key}=true or {key}=false");
        return defaultValue;
    }

    /// <summary>Records an error about a key's value: <c>Invalid value 'x' for key: why; fix.</c></summary>
    public void Fail(string key, string value, string reasonAndFix) =>
        Errors.Add($"Invalid value '{value}' for {key} (line {LineOf(key)}): {reasonAndFix}.");

    /// <summary>Records an error that is not about one value (a missing key, two keys that disagree).</summary>
    public void Problem(string message) => Errors.Add(message);

    public IEnumerable<PropertyEntry> Unread() => _entries.Values.Where(e => !_read.Contains(e.Key)).OrderBy(e => e.LineNumber);

    private int LineOf(string key) => _entries.TryGetValue(key, out PropertyEntry entry) ? entry.LineNumber : 0;
}
