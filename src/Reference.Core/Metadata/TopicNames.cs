namespace Reference.Core.Metadata;

/// <summary>
/// Kafka's rules for topic names (<c>org.apache.kafka.common.internals.Topic</c>): which names are legal,
/// which are internal, and which collide in metric names. The messages are Kafka's, because
/// <c>kafka-topics.sh</c> prints them.
/// </summary>
public static class TopicNames
{
    /// <summary>249, not 255: a partition's directory is <c>name-partition</c>, plus a suffix for deletion, within a 255-byte file name.</summary>
    public const int NameLengthMax = 249;

    /// <summary>Where consumer groups keep their committed offsets.</summary>
    public const string ConsumerOffsets = "__consumer_offsets";

    /// <summary>Where transaction coordinators keep transaction state.</summary>
    public const string TransactionState = "__transaction_state";

    public static bool IsInternal(string name) => name == ConsumerOffsets || name == TransactionState;

    /// <summary>Null when <paramref name="name"/> is legal, else Kafka's INVALID_TOPIC_EXCEPTION message.</summary>
    public static string? Validate(string name)
    {
        if (name.Length == 0) return "Topic name is illegal, it can't be empty";
        if (name == "." || name == "..") return "Topic name cannot be \".\" or \"..\"";
        if (name.Length > NameLengthMax)
            return $"Topic name is illegal, it can't be longer than {NameLengthMax} characters, topic name: {name}";
        foreach (char c in name)
        {
            if (!IsLegalCharacter(c))
                return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
        }
        return null;
    }

    private static bool IsLegalCharacter(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';

    /// <summary>
    /// Metric names replace '.' with '_', so <c>a.b</c> and <c>a_b</c> would share metrics; Kafka refuses the
    /// second (<c>Topic.unifyCollisionChars</c>).
    /// </summary>
    public static string CollisionKey(string name) => name.Replace('.', '_');
}
