using System.Text;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// One test's run against a broker: it starts the test's child processes (and kills any still running at
/// the end), and when the test fails it writes every process's command, status and output, then the
/// broker's own output, into the test output. Use it as
/// <c>[Fact] public Task X() => TestSession.RunAsync(output, broker, async session => { ... });</c>
/// </summary>
public sealed class TestSession
{
    /// <summary>The default bound on one client command, far above what any of them needs on a healthy broker.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly List<ChildProcess> _processes = [];

    private TestSession(KraftBroker broker)
    {
        Broker = broker;
        Cluster = new ClusterProbe(broker.BootstrapServer);
    }

    public KraftBroker Broker { get; }

    /// <summary>The project's own client, for setting topics up and checking what the real clients did.</summary>
    public ClusterProbe Cluster { get; }

    public static async Task RunAsync(ITestOutputHelper output, KraftBroker broker, Func<TestSession, Task> body)
    {
        var session = new TestSession(broker);
        try
        {
            await body(session);
        }
        catch
        {
            output.WriteLine(session.FailureReport());
            await RestartIfDownAsync(broker, output);
            throw;
        }
        finally
        {
            foreach (ChildProcess process in session._processes) await process.DisposeAsync();
        }
    }

    /// <summary>Runs a command to its end, with <paramref name="input"/> as its standard input; kills it and throws after <paramref name="timeout"/>.</summary>
    public async Task<ChildProcess> RunAsync(Command command, string input = "", TimeSpan? timeout = null)
    {
        ChildProcess process = Start(command);
        await process.WriteInputAndCloseAsync(input);
        await process.WaitForExitAsync(timeout ?? CommandTimeout);
        return process;
    }

    /// <summary>Starts a command that runs alongside the test (a consumer, a producer); it is killed when the test ends.</summary>
    public ChildProcess Start(Command command)
    {
        ChildProcess process = ChildProcess.Start(command);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// A test that failed between killing the broker and restarting it would leave the class's next tests
    /// without one; they get a running broker again (or, if it cannot start, the reason in this output).
    /// </summary>
    private static async Task RestartIfDownAsync(KraftBroker broker, ITestOutputHelper output)
    {
        if (broker.IsRunning) return;
        try
        {
            await broker.RestartAsync();
        }
        catch (Exception error) when (error is InvalidOperationException or TimeoutException)
        {
            output.WriteLine($"=== restarting the broker for the next test failed ===\n{error.Message}");
        }
    }

    private string FailureReport()
    {
        var report = new StringBuilder();
        report.AppendLine($"=== {_processes.Count} client processes, in the order they started ===");
        foreach (ChildProcess process in _processes) report.AppendLine(process.Describe());
        report.AppendLine($"=== broker on {Broker.BootstrapServer} ===");
        report.AppendLine(Broker.Log());
        return report.ToString();
    }
}
