namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// One broker per test class (xunit's class fixture): started before the class's first test, stopped
/// after its last. Tests of one class run one after another, so a test may stop, kill and restart it as
/// long as it leaves it running.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private KraftBroker? _broker;

    public KraftBroker Broker => _broker ?? throw new InvalidOperationException("The broker fixture was not initialized.");

    public async Task InitializeAsync() => _broker = await KraftBroker.StartAsync();

    public async Task DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
    }
}
