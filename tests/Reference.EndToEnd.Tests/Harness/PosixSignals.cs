using System.Runtime.InteropServices;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// Sends a signal to a process by id. .NET's Process.Kill sends only SIGKILL; a graceful stop needs
/// SIGTERM, the signal `kill PID` and systemd send a broker.
/// </summary>
public static partial class PosixSignals
{
    public const int Terminate = 15; // SIGTERM: shut down cleanly
    public const int Kill = 9;       // SIGKILL: no cleanup at all, as in a crash

    public static void Send(int processId, int signal)
    {
        if (kill(processId, signal) != 0)
            throw new InvalidOperationException($"kill({processId}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
