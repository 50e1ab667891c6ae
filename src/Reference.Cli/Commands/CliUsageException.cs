namespace Reference.Cli.Commands;

/// <summary>The command line asks for something that cannot be done as written; the message says how to write it.</summary>
public sealed class CliUsageException(string message) : Exception(message);
