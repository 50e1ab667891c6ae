using System.CommandLine;
using Reference.Cli.Commands;

namespace Reference.Cli;

/// <summary>
/// The `kraft` command. Each verb builds its own command from its own file; adding a verb is one line in
/// <see cref="Verbs"/>.
/// </summary>
public static class KraftCommandLine
{
    /// <summary>Every verb, in the order `kraft --help` lists them.</summary>
    private static IReadOnlyList<ICliVerb> Verbs() =>
    [
        new TopicsCommand(),
        new ConsoleProducerCommand(),
        new ConsoleConsumerCommand(),
        new ConsumerGroupsCommand(),
        new MetadataQuorumCommand(),
        new StorageCommand(),
        new ServerCommand(),
        new SimCommand(),
        new ReplayCommand(),
        new ExploreCommand(),
    ];

    public static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand("kraft: a Kafka broker with KRaft, and Kafka's command-line tools to drive it.");
        foreach (ICliVerb verb in Verbs()) root.Subcommands.Add(verb.Build(console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ParseResult parsed = Build(console).Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }
}
