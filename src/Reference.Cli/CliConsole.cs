namespace Reference.Cli;

/// <summary>Where a verb reads and writes: the process's console, or strings in tests.</summary>
public sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error, bool InputIsTerminal)
{
    public static CliConsole FromSystem() => new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected);
}
