using Reference.Cli.Commands;

namespace Reference.Cli.Parsing;

/// <summary>Reads repeated key=value arguments; a later key wins, as in Kafka's tools.</summary>
public static class KeyValueArguments
{
    public static SortedDictionary<string, string> Parse(IEnumerable<string>? values, string optionName)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values ?? [])
        {
            int equals = value.IndexOf('=');
            if (equals <= 0) throw new CliUsageException($"{optionName} '{value}' is not key=value");
            pairs[value[..equals].Trim()] = value[(equals + 1)..];
        }
        return pairs;
    }

    /// <summary>Kafka's reading of a boolean property: true only when it says "true", in any case.</summary>
    public static bool IsTrue(IReadOnlyDictionary<string, string> properties, string key) =>
        properties.TryGetValue(key, out string? value) && value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    public static string Get(IReadOnlyDictionary<string, string> properties, string key, string fallback) =>
        properties.TryGetValue(key, out string? value) ? value : fallback;

    public static int GetInt(IReadOnlyDictionary<string, string> properties, string key, int fallback, string optionName)
    {
        if (!properties.TryGetValue(key, out string? value)) return fallback;
        return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw new CliUsageException($"{optionName} {key}={value} is not a number");
    }
}
