using Reference.Broker.Tests.Network;
using Reference.Simulation.Traces;

namespace Reference.Broker.Tests.Hosting;

/// <summary>trace.record.path in the shell: what is written, in what order, and the bound on the file.</summary>
public sealed class TraceRecordingTests
{
    [Fact]
    public async Task EveryInputIsRecordedInTheOrderDeliveredWithItsEffects()
    {
        using var directory = new TemporaryDirectory();
        string trace = directory.Combine("broker.trace");
        var node = new TestDoubleNode();
        await using (TestBroker broker = await TestBroker.StartAsync(node, $"trace.record.path={trace}"))
        {
            using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
            for (int correlationId = 1; correlationId <= 3; correlationId++)
            {
                await client.SendAsync(RawClient.ApiVersionsRequest(correlationId));
                Assert.NotNull(await client.ReadFrameAsync());
            }
        }
        TraceDocument document = TraceReader.ReadFile(trace);
        Assert.Equal(TraceHeader.BrokerSource, document.Header.Source);
        List<TraceEntry.Input> inputs = document.Entries.Select(line => line.Entry).OfType<TraceEntry.Input>().ToList();
        // The node saw exactly these inputs, in this order; the trace says the same.
        Assert.Equal(node.Inputs.Select(input => input.GetType().Name), inputs.Select(input => NodeInputName(input.What)));
        Assert.IsType<TraceInput.Started>(inputs[0].What);
        Assert.Equal(3, inputs.Count(input => input.What is TraceInput.Request));
        Assert.All(inputs.Where(input => input.What is TraceInput.Request), input => Assert.Contains(input.Effects, effect => effect.StartsWith("wake at=", StringComparison.Ordinal)));
        Assert.Equal(node.Inputs.Select(input => input.NowMs), inputs.Select(input => input.TimeMs));
    }

    [Fact]
    public async Task RecordingStopsWithALogLineBeforeTheFileGrowsPastItsBound()
    {
        using var directory = new TemporaryDirectory();
        string trace = directory.Combine("broker.trace");
        const int maxBytes = 4096;
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode(), $"trace.record.path={trace}\ntrace.record.max.bytes={maxBytes}");
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
        for (int correlationId = 1; correlationId <= 40; correlationId++)
        {
            await client.SendAsync(RawClient.ApiVersionsRequest(correlationId));
            Assert.NotNull(await client.ReadFrameAsync()); // the broker serves on after recording stopped
        }
        await TestBroker.WaitForAsync(() => broker.Log.ToString().Contains("Stopped recording after", StringComparison.Ordinal), "the log line that recording stopped");
        Assert.Contains("trace.record.max.bytes (4096 bytes)", broker.Log.ToString());
        Assert.InRange(new FileInfo(trace).Length, 1, maxBytes);
        TraceDocument prefix = TraceReader.ReadFile(trace);
        Assert.NotEmpty(prefix.Entries);
    }

    private static string NodeInputName(TraceInput input) => input switch
    {
        TraceInput.Started => "Started",
        TraceInput.TimeAdvanced => "TimeAdvanced",
        TraceInput.Request => "RequestReceived",
        TraceInput.Response => "ResponseReceived",
        TraceInput.Failed => "RequestFailed",
        TraceInput.Flushed => "LogFlushed",
        TraceInput.Closed => "ConnectionClosed",
        _ => input.GetType().Name,
    };
}
