using System.CommandLine;
using Reference.Client.Network;

namespace Reference.Cli.Commands;

/// <summary>Options several verbs share, with Kafka's names.</summary>
public static class CommonOptions
{
    public static Option<string> BootstrapServer() => new("--bootstrap-server")
    {
        Description = "REQUIRED: the broker(s) to connect to, HOST:PORT[,HOST:PORT...].",
        Required = true,
        Recursive = true,
    };

    /// <summary>An option that may be given many times (--property k=v, --config k=v, --group g).</summary>
    public static Option<string[]> Repeatable(string name, string description) => new(name)
    {
        Description = description,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>A flag that takes no value (--create, --list, --from-beginning).</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>Client settings for a verb: the bootstrap servers and a client id Kafka's tools would use.</summary>
    public static ClientOptions Client(string bootstrapServers, string clientId) => new()
    {
        BootstrapServers = BrokerEndpoint.ParseList(bootstrapServers),
        ClientId = clientId,
    };
}
