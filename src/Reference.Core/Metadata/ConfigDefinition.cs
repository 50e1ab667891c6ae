using System.Globalization;

namespace Reference.Core.Metadata;

/// <summary>Kafka's <c>ConfigDef.Type</c> codes, as DescribeConfigs v3+ reports them.</summary>
public enum ConfigType : sbyte
{
    Unknown = 0,
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
    Class = 8,
    Password = 9,
}

/// <summary>
/// One topic configuration key (Kafka's <c>TopicConfig</c> with <c>LogConfig</c>'s validators): its type,
/// the broker setting it falls back to, Kafka's built-in default, and what values are legal. Validation
/// messages follow Kafka's <c>ConfigException</c>: <c>Invalid value V for configuration K: reason</c>.
/// </summary>
/// <param name="BrokerSynonym">The broker-level key a topic without an override takes its value from.</param>
/// <param name="KafkaDefault">The value when neither the topic nor the broker sets it.</param>
/// <param name="StaticBrokerValue">What this node's configuration says for the broker key, when it models it.</param>
public sealed record ConfigDefinition(
    string Name,
    string BrokerSynonym,
    ConfigType Type,
    string KafkaDefault,
    Func<Node.NodeConfig, string>? StaticBrokerValue = null,
    double? Min = null,
    double? Max = null,
    IReadOnlyList<string>? ValidValues = null)
{
    /// <summary>Null when <paramref name="value"/> is legal for this key; otherwise Kafka's message, naming <paramref name="key"/>.</summary>
    public string? Validate(string key, string value)
    {
        string? reason = Type switch
        {
            ConfigType.Long => CheckNumber(long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l), l, "LONG"),
            ConfigType.Int => CheckNumber(int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i), i, "INT"),
            ConfigType.Double => CheckNumber(double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d), d, "DOUBLE"),
            ConfigType.Boolean => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase)
                ? null
                : "Expected value to be either true or false",
            ConfigType.String => CheckAllowed([value.Trim()]),
            ConfigType.List => CheckAllowed(SplitList(value)),
            _ => null,
        };
        return reason is null ? null : $"Invalid value {value} for configuration {key}: {reason}";
    }

    /// <summary>A list value as Kafka parses it: comma separated, entries trimmed, an empty value an empty list.</summary>
    public static IReadOnlyList<string> SplitList(string value) =>
        value.Trim().Length == 0 ? [] : value.Split(',').Select(entry => entry.Trim()).ToArray();

    private string? CheckNumber(bool parsed, double number, string typeName)
    {
        if (!parsed) return $"Not a number of type {typeName}";
        if (Min is double min && number < min) return $"Value must be at least {Format(min)}";
        if (Max is double max && number > max) return $"Value must be no more than {Format(max)}";
        return null;
    }

    private string Format(double bound) => Type == ConfigType.Double
        ? bound.ToString("0.0##", CultureInfo.InvariantCulture)
        : ((long)bound).ToString(CultureInfo.InvariantCulture);

    private string? CheckAllowed(IReadOnlyList<string> entries)
    {
        if (ValidValues is null) return null;
        foreach (string entry in entries)
        {
            if (!ValidValues.Contains(entry, StringComparer.Ordinal)) return $"String must be one of: {string.Join(", ", ValidValues)}";
        }
        return null;
    }
}
