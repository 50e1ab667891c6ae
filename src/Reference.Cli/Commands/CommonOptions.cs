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

    /// <summary>
    /// <c>--bug NAME</c>, repeatable: switch a historical flaw back on in every node (<see cref="Parsing.BugNames"/>),
    /// to watch the simulator catch it. A run with one is replayed with the same switches.
    /// </summary>
    public static Option<string[]> Bugs() => new("--bug")
    {
        Description = $"Re-introduce a known bug in every node, to see it caught (repeatable): {string.Join(", ", Parsing.BugNames.All)}.",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>The nodes' configuration change <c>--bug</c> asks for, or null for none; a bad name is a usage error.</summary>
    public static Func<Core.Node.NodeConfig, Core.Node.NodeConfig>? ConfigureBugs(string[]? names)
    {
        if (names is not { Length: > 0 }) return null;
        if (!Parsing.BugNames.TryParse(names, out Core.Node.ReintroducedBugs bugs, out string? error)) throw new CliUsageException($"--bug: {error}");
        return config => config with { ReintroducedBugs = config.ReintroducedBugs | bugs };
    }

    /// <summary>A flag that takes no value (--create, --list, --from-beginning).</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>Client settings for a verb: the bootstrap servers and a client id Kafka's tools would use.</summary>
    public static ClientOptions Client(string bootstrapServers, string clientId) => new()
    {
        BootstrapServers = BrokerEndpoint.ParseList(bootstrapServers),
        ClientId = clientId,
    };
}
