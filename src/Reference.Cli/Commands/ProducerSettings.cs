using Reference.Cli.Parsing;
using Reference.Client.Producer;

namespace Reference.Cli.Commands;

/// <summary>Kafka producer property names (acks, linger.ms, ...) as <see cref="ProducerOptions"/>.</summary>
public static class ProducerSettings
{
    private static readonly HashSet<string> Known = ["acks", "linger.ms", "batch.size", "client.id", "max.block.ms", "retries", "request.timeout.ms"];

    public static ProducerOptions From(IReadOnlyDictionary<string, string> settings, TextWriter warnings)
    {
        foreach (string unknown in settings.Keys.Where(k => !Known.Contains(k)))
            warnings.WriteLine($"Warning: the producer property '{unknown}' is not supported by kraft and is ignored.");
        const string option = "--producer-property";
        return new ProducerOptions
        {
            Acks = ParseAcks(KeyValueArguments.Get(settings, "acks", "all")),
            LingerMs = KeyValueArguments.GetInt(settings, "linger.ms", 5, option),
            BatchSizeBytes = KeyValueArguments.GetInt(settings, "batch.size", 16_384, option),
            MetadataWaitMs = KeyValueArguments.GetInt(settings, "max.block.ms", 10_000, option),
            // Kafka's default retries is int.MaxValue, bounded by delivery.timeout.ms; ours is bounded by count.
            DeliveryAttemptsMax = 1 + Math.Clamp(KeyValueArguments.GetInt(settings, "retries", 4, option), 0, 100),
        };
    }

    public static Acks ParseAcks(string text) => text.Trim() switch
    {
        "all" or "-1" => Acks.All,
        "1" => Acks.Leader,
        "0" => Acks.None,
        _ => throw new CliUsageException($"acks '{text}' is not one of all, -1, 1 or 0"),
    };
}
