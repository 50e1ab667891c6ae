using System.CommandLine;

namespace Reference.Cli.Commands;

/// <summary>One verb of `kraft` (topics, console-producer, server, sim, ...): it builds its command and action.</summary>
public interface ICliVerb
{
    Command Build(CliConsole console);
}
