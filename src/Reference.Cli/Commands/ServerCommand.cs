using System.CommandLine;
using Reference.Broker.Hosting;

namespace Reference.Cli.Commands;

/// <summary>
/// `kraft server start [FILE]` (kafka-server-start.sh): runs a broker until SIGTERM or Ctrl-C. Without a
/// file it runs the embedded single-node configuration, formatting its storage on first start.
/// </summary>
public sealed class ServerCommand : ICliVerb
{
    private readonly Argument<string?> _config = new("server.properties")
    {
        Description = "The configuration file; omit it for the embedded single-node default on 127.0.0.1:9092.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Command Build(CliConsole console)
    {
        var start = new Command("start", "Start a broker and run it until it is stopped.") { _config };
        start.SetVerbAction(console, (parsed, cancellationToken) => BrokerHost.RunAsync(
            new BrokerOptions { ConfigPath = parsed.GetValue(_config), Output = console.Out, Error = console.Error },
            cancellationToken));
        return new Command("server", "Run a broker (kafka-server-start.sh).") { start };
    }
}
