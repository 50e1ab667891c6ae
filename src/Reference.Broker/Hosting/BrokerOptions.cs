using Reference.Core.Node;
namespace Reference.Broker.Hosting;

/// <summary>How to start a broker: <c>kraft server start [FILE]</c>.</summary>
public sealed record BrokerOptions
{
    /// <summary>
    /// The server.properties to run with; null for the built-in single-node configuration
    /// (<see cref="Config.DefaultConfiguration"/>), whose directory is formatted on first start.
    /// </summary>
    public string? ConfigPath { get; init; }

    /// <summary>Overrides the built-in configuration's data directory (tests, several local brokers).</summary>
    public string? DefaultDataDirectory { get; init; }

    /// <summary>Log lines go here.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Configuration and startup errors go here, one line each.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Stop gracefully on SIGTERM and SIGINT (Ctrl-C). Off for brokers hosted inside tests.</summary>
    public bool HandleSignals { get; init; } = true;

    /// <summary>The node to drive; the core's Node when null (<see cref="CoreNodeFactory.Default"/>).</summary>
    public NodeFactory? NodeFactory { get; init; }
}
