using Reference.Cli;

namespace Reference.Client.Tests.Cli;

/// <summary>Runs `kraft` in-process with string input and captured output.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> WithInput(string input, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int exitCode = await KraftCommandLine.RunAsync(args, new CliConsole(new StringReader(input), output, error, InputIsTerminal: false));
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public static Task<CliRun> Of(params string[] args) => WithInput("", args);
}
