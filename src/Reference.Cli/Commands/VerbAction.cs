using System.CommandLine;
using Reference.Client.Errors;

namespace Reference.Cli.Commands;

/// <summary>
/// Runs a verb's action so that every failure ends as one line on stderr and a non-zero exit code, never
/// a stack trace: usage mistakes and client errors print their message; anything else says it is
/// unexpected.
/// </summary>
public static class VerbAction
{
    public const int Success = 0;
    public const int Failure = 1;

    public static void SetVerbAction(this Command command, CliConsole console, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parsed, cancellationToken) =>
        {
            try
            {
                return await action(parsed, cancellationToken);
            }
            catch (CliUsageException usage)
            {
                await console.Error.WriteLineAsync($"{usage.Message} (see `kraft {command.Name} --help`)");
            }
            catch (KafkaClientException failure)
            {
                await console.Error.WriteLineAsync(failure.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await console.Error.WriteLineAsync("Interrupted.");
            }
            catch (Exception unexpected)
            {
                await console.Error.WriteLineAsync($"Unexpected {unexpected.GetType().Name}: {unexpected.Message}");
            }
            return Failure;
        });
    }
}
