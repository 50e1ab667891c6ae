using Reference.EndToEnd.Tests.Harness;

namespace Reference.EndToEnd.Tests.Cli;

/// <summary>What a user sees once the broker is gone. This class stops its broker, so it has one of its own.</summary>
public sealed class StoppedBrokerTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    /// <summary>
    /// The same command works while the broker runs; after a SIGTERM the broker exits within
    /// <see cref="KraftBroker.StopTimeout"/>, releases its port, and the command prints the one line that
    /// says the connection was refused, with no stack trace, and exits 1.
    /// </summary>
    [Fact]
    public Task ACliAgainstAStoppedBrokerPrintsConnectionRefused() => TestSession.RunAsync(output, fixture.Broker, async session =>
    {
        KraftBroker broker = fixture.Broker;
        Command list = ClientCommands.Kraft("topics", "--bootstrap-server", broker.BootstrapServer, "--list");
        ChildProcess whileRunning = await session.RunAsync(list);
        Assert.Equal(0, whileRunning.ExitCode);

        await broker.StopAsync();
        ChildProcess afterStop = await session.RunAsync(list);

        Assert.Equal(1, afterStop.ExitCode);
        Assert.Equal([$"Connection to {broker.BootstrapServer} refused: is the broker running?"], afterStop.StandardError.Snapshot());
        Assert.Equal(0, afterStop.StandardOutput.Count);
    });
}
