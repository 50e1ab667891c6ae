using System.Diagnostics;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// One child process of a test: a client, a kraft verb or the broker. Its standard output and error are
/// read line by line as they arrive; it is stopped by process id, with SIGTERM (graceful, bounded wait)
/// or SIGKILL (a crash); and disposing it kills it if it still runs, so no test leaves a process behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>Lines kept per stream: far above any test's output, low enough to bound memory.</summary>
    public const int LinesMax = 2_000_000;

    /// <summary>How long a killed process may take to be reaped and close its pipes.</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Stopwatch _age = Stopwatch.StartNew();
    private bool _disposed;

    private ChildProcess(Command command, Process process)
    {
        Command = command;
        _process = process;
        ProcessId = process.Id;
    }

    public Command Command { get; }

    public int ProcessId { get; }

    public OutputLines StandardOutput { get; } = new(LinesMax);

    public OutputLines StandardError { get; } = new(LinesMax);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public TimeSpan Age => _age.Elapsed;

    /// <summary>Starts the command with its streams redirected; standard input stays open until <see cref="CloseInputAsync"/>.</summary>
    public static ChildProcess Start(Command command)
    {
        var startInfo = new ProcessStartInfo(command.Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? "",
        };
        foreach (string argument in command.Arguments) startInfo.ArgumentList.Add(argument);
        var process = new Process { StartInfo = startInfo };
        ChildProcess? child = null;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) child!.StandardOutput.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) child!.StandardError.Add(e.Data); };
        if (!process.Start()) throw new InvalidOperationException($"Could not start: {command}");
        child = new ChildProcess(command, process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Writes standard input and closes it, as a pipe into the command would.</summary>
    public async Task WriteInputAndCloseAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await CloseInputAsync();
    }

    public async Task CloseInputAsync()
    {
        await _process.StandardInput.FlushAsync();
        _process.StandardInput.Close();
    }

    /// <summary>Waits for the process to end and its output to be read; kills it and throws when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"`{Command}` did not finish within {timeout.TotalSeconds:0} s and was killed.\n{Describe()}");
        }
    }

    /// <summary>
    /// Polls the output until <paramref name="isSatisfied"/> holds, and returns that output. Throws with
    /// <paramref name="expectation"/> and the output so far when the time is up or the process ended first.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitForOutputAsync(Func<IReadOnlyList<string>, bool> isSatisfied, TimeSpan timeout, string expectation)
    {
        IReadOnlyList<string> lines = [];
        await Poll.UntilAsync(
            async () =>
            {
                lines = StandardOutput.Snapshot();
                if (isSatisfied(lines) || !_process.HasExited) return isSatisfied(lines);
                // Ended: once its last output has been read, the answer is final.
                await DrainAsync();
                lines = StandardOutput.Snapshot();
                return isSatisfied(lines)
                    ? true
                    : throw new InvalidOperationException($"`{Command}` exited with {_process.ExitCode} before {expectation}.\n{Describe()}");
            },
            timeout,
            () => $"{expectation}.\n{Describe()}");
        return lines;
    }

    /// <summary>Sends SIGTERM and waits for a graceful exit; SIGKILL and an exception when it does not come in time.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited) PosixSignals.Send(ProcessId, PosixSignals.Terminate);
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Sends SIGKILL, as a crash or `kill -9` would, and waits for the process to be gone.</summary>
    public async Task KillAsync()
    {
        // Only a process not yet reaped is signalled: once reaped, its id may belong to another process.
        if (!_process.HasExited) PosixSignals.Send(ProcessId, PosixSignals.Kill);
        await DrainAsync();
    }

    /// <summary>Waits (bounded) for an ending process to be reaped and its output read to the end.</summary>
    private async Task DrainAsync()
    {
        using var deadline = new CancellationTokenSource(KillWait);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (_process.HasExited)
        {
            // Gone, but a grandchild still holds its output pipe open; what was read is kept.
        }
    }

    /// <summary>The command, how it ended, and the tail of both streams: what a failure report needs.</summary>
    public string Describe(int tailLines = 40)
    {
        string status = _process.HasExited ? $"exited with {_process.ExitCode}" : "still running";
        return $"$ {Command}\n  ({status} after {Age.TotalSeconds:0.0} s, pid {ProcessId})\n"
            + $"  --- stdout ---\n{Indent(StandardOutput.Tail(tailLines))}\n  --- stderr ---\n{Indent(StandardError.Tail(tailLines))}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await KillAsync();
        _process.Dispose();
    }

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(line => "  " + line));
}
