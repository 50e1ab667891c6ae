namespace Reference.Broker.Config;

/// <summary>
/// The configuration <c>kraft server start</c> uses when given no file: one node in combined mode on
/// 127.0.0.1 (PLAINTEXT 9092, CONTROLLER 9093), like Kafka's quickstart. Its data lives in
/// <see cref="DataDirectory"/>, <c>$TMPDIR/kraft-combined-logs</c> (/tmp/kraft-combined-logs on Linux, the
/// quickstart's own path), and is formatted with a fresh cluster id the first time it is used.
/// </summary>
public static class DefaultConfiguration
{
    public static string DataDirectory => Path.Combine(Path.GetTempPath(), "kraft-combined-logs");

    /// <summary>The configuration's text; backslashes in the directory are doubled, as a properties value needs (Windows paths).</summary>
    public static string Text(string dataDirectory) => $"""
        # The broker's built-in configuration: one node that is both broker and controller.
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@127.0.0.1:9093
        listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
        advertised.listeners=PLAINTEXT://127.0.0.1:9092
        controller.listener.names=CONTROLLER
        inter.broker.listener.name=PLAINTEXT
        listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
        log.dirs={dataDirectory.Replace("\\", "\\\\")}
        num.partitions=1
        offsets.topic.replication.factor=1
        """;
}
