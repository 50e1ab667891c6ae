namespace Reference.Client.Errors;

/// <summary>
/// Every failure this client reports. The message is one line that names the problem and, where there is
/// one, the fix, so a command-line tool can print it as it is, without a stack trace.
/// </summary>
public class KafkaClientException : Exception
{
    public KafkaClientException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A broker could not be reached, or the connection to it broke.</summary>
public sealed class KafkaConnectionException : KafkaClientException
{
    public KafkaConnectionException(string endpoint, string message, Exception? inner = null) : base(message, inner) =>
        Endpoint = endpoint;

    /// <summary>The broker's HOST:PORT.</summary>
    public string Endpoint { get; }
}

/// <summary>A request got no answer in time.</summary>
public sealed class KafkaTimeoutException : KafkaClientException
{
    public KafkaTimeoutException(string message) : base(message) { }
}

/// <summary>The broker answered with an error code.</summary>
public sealed class KafkaApiException : KafkaClientException
{
    public KafkaApiException(ErrorCode code, string message) : base(message) => Code = code;

    public ErrorCode Code { get; }

    public bool IsRetriable => ErrorCodes.IsRetriable(Code);

    /// <summary>An exception for a code, with the broker's message when it sent one and Kafka's otherwise.</summary>
    public static KafkaApiException From(ErrorCode code, string context, string? brokerMessage = null) =>
        new(code, $"{context}: {(string.IsNullOrEmpty(brokerMessage) ? ErrorCodes.Describe(code) : brokerMessage)} ({code})");
}

/// <summary>The broker sent something this client cannot read or speak to (no common version, bad bytes).</summary>
public sealed class KafkaProtocolException : KafkaClientException
{
    public KafkaProtocolException(string message) : base(message) { }
}
